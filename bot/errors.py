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
    """The database could not be reached, migrated, read or written; storage wraps SQLAlchemy's
    errors in it at its boundary, so the core never catches a database library's exceptions."""


class DatabaseError(StorageError):
    """The database driver failed a statement or a commit (locked, connection dropped, a
    constraint): nothing of the unit of work was written, and running it again may succeed."""


class LockHeldError(StorageError):
    """Another live `geoalert run` already holds this database."""
