"""The facade the CLI and the bot call: `make_geoalert(settings)` → `Geoalert`."""

from bot.service.facade import Geoalert, make_geoalert
from bot.service.feedback import NotReceived, QualityReport, VerdictState, precision
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
    "NotReceived",
    "QualityReport",
    "RematchReport",
    "SourceView",
    "StatusReport",
    "StoryEntry",
    "TopicsOverview",
    "VerdictState",
    "make_geoalert",
    "precision",
]
