"""The one exception tree of geoalert; third-party errors are wrapped at the boundary."""


class GeoalertError(Exception):
    """Root of every error geoalert raises on purpose."""


class ConfigError(GeoalertError):
    """Invalid settings: start-up stops with one clear line."""


class RuleError(GeoalertError):
    """A rule file is invalid; the message starts with `file:line:`."""


class FeedError(GeoalertError):
    """A feed could not be fetched or parsed; the message names the feed and the reason."""


class CorpusError(GeoalertError):
    """The seed corpus or its index is invalid."""


class StorageError(GeoalertError):
    """The database could not be reached or migrated."""


class LockHeldError(StorageError):
    """Another live `geoalert run` already holds this database."""
