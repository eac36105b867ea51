"""The facade the CLI and the bot call: `make_geoalert(settings)` → `Geoalert`."""

from bot.service.facade import Geoalert, make_geoalert
from bot.service.records import (
    DigestSettings,
    FeedStatus,
    RematchReport,
    SourceView,
    StatusReport,
    StoryEntry,
    TopicsOverview,
)

__all__ = [
    "DigestSettings",
    "FeedStatus",
    "Geoalert",
    "RematchReport",
    "SourceView",
    "StatusReport",
    "StoryEntry",
    "TopicsOverview",
    "make_geoalert",
]
