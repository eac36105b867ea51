"""SQLModel tables. They stay inside `storage/`; other layers get `bot.models` records."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from storage.types import UTCDateTime


def _dt(*, nullable: bool = True, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class FeedRow(SQLModel, table=True):
    """A polled feed and its fetch state (conditional GET, errors, back-off)."""

    __tablename__ = "feeds"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(sa.String(2048), unique=True, nullable=False))
    name: str = Field(max_length=200)
    etag: str | None = Field(default=None, max_length=512)
    last_modified: str | None = Field(default=None, max_length=128)
    content_hash: str | None = Field(default=None, max_length=64)
    last_polled_at: datetime | None = Field(default=None, sa_column=_dt())
    last_success_at: datetime | None = Field(default=None, sa_column=_dt())
    last_error: str | None = Field(default=None, max_length=1000)
    last_status: int | None = None
    consecutive_failures: int = 0
    next_poll_at: datetime | None = Field(default=None, sa_column=_dt())
    # Replicas on PostgreSQL: when the feed may next be claimed (None: now). A claim moves it
    # a lease period ahead, so a replica that dies mid-poll frees the feed when it passes;
    # recording the fetch moves it to the next interval. `leased_by` is the claiming replica.
    due_at: datetime | None = Field(default=None, sa_column=_dt(index=True))
    leased_by: str | None = Field(default=None, max_length=256)


class ItemRow(SQLModel, table=True):
    """A normalised news item, from a feed or the seed corpus."""

    __tablename__ = "items"

    id: str = Field(primary_key=True, max_length=16)
    source: str = Field(sa_column=Column(sa.String(2048), nullable=False, index=True))
    source_name: str = Field(max_length=200)
    key: str = Field(sa_column=Column(sa.Text, nullable=False))
    title: str = Field(sa_column=Column(sa.Text, nullable=False))
    text: str = Field(sa_column=Column(sa.Text, nullable=False))
    link: str | None = Field(default=None, sa_column=Column(sa.Text))
    publisher: str = Field(max_length=200)
    language: str | None = Field(default=None, max_length=8)
    published: datetime = Field(sa_column=_dt(nullable=False, index=True))
    published_origin: str = Field(max_length=16)
    fetched: datetime = Field(sa_column=_dt(nullable=False))
    source_ref: str = Field(default="", sa_column=Column(sa.Text, nullable=False))


class MatchRow(SQLModel, table=True):
    """An item matched a topic, with the rule evidence."""

    __tablename__ = "matches"
    __table_args__ = (sa.UniqueConstraint("item_id", "topic", name="uq_matches_item_topic"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(foreign_key="items.id", index=True, max_length=16)
    topic: str = Field(index=True, max_length=64)
    terms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    snippet: str = Field(default="", sa_column=Column(sa.Text, nullable=False))
    score: float = 1.0
    threshold: float = 1.0
    clauses: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    matched_at: datetime = Field(sa_column=_dt(nullable=False, index=True))


class ChatRow(SQLModel, table=True):
    """A Telegram chat that talked to the bot."""

    __tablename__ = "chats"

    id: int = Field(sa_column=Column(sa.BigInteger, primary_key=True, autoincrement=False))
    type: str = Field(default="private", max_length=16)
    title: str | None = Field(default=None, max_length=256)
    language: str | None = Field(default=None, max_length=8)  # /lang override
    user_language: str | None = Field(default=None, max_length=8)  # from Telegram
    muted: bool = False
    active: bool = True
    deactivated_reason: str | None = Field(default=None, max_length=256)
    created_at: datetime = Field(sa_column=_dt(nullable=False))
    updated_at: datetime = Field(sa_column=_dt(nullable=False))
    digest_time: str | None = Field(default=None, max_length=5)  # "HH:MM" local; None = instant
    tz_offset_minutes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_digest_on: str | None = Field(default=None, max_length=10)  # local date, YYYY-MM-DD
    # /feedback off: alerts come without the Relevant / Not relevant buttons.
    feedback: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})


class SubscriptionRow(SQLModel, table=True):
    """A chat (optionally a forum thread in it) follows a topic."""

    __tablename__ = "subscriptions"
    __table_args__ = (sa.UniqueConstraint("chat_id", "topic", name="uq_subscriptions_chat_topic"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(
        sa_column=Column(sa.BigInteger, sa.ForeignKey("chats.id"), nullable=False, index=True)
    )
    topic: str = Field(max_length=64, index=True)
    thread_id: int = 0  # forum topic id; 0 = the chat itself
    created_at: datetime = Field(sa_column=_dt(nullable=False))


class OutboxRow(SQLModel, table=True):
    """One alert to deliver: a (chat, thread, item) row, marked sent only after Telegram accepts."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.UniqueConstraint("chat_id", "thread_id", "item_id", name="uq_outbox_chat_thread_item"),
        sa.Index("ix_outbox_status_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(sa.BigInteger, nullable=False, index=True))
    thread_id: int = 0
    item_id: str = Field(foreign_key="items.id", max_length=16)
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)  # pending | sent | dropped
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=_dt(nullable=False))
    created_at: datetime = Field(sa_column=_dt(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_dt())
    message_id: int | None = None
    last_error: str | None = Field(default=None, max_length=1000)


class ReplicaRow(SQLModel, table=True):
    """A running `geoalert run` on PostgreSQL: who it is, its roles and its last heartbeat."""

    __tablename__ = "replicas"

    id: str = Field(primary_key=True, max_length=256)  # host:pid:nonce
    host: str = Field(max_length=256)
    pid: int
    roles: str = Field(default="", max_length=64)  # "sender" or ""
    started_at: datetime = Field(sa_column=_dt(nullable=False))
    heartbeat_at: datetime = Field(sa_column=_dt(nullable=False))


class LockRow(SQLModel, table=True):
    """A named lock held in the database, so two `geoalert run` never share one database."""

    __tablename__ = "locks"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=256)
    acquired_at: datetime = Field(sa_column=_dt(nullable=False))
    heartbeat_at: datetime = Field(sa_column=_dt(nullable=False))


class StoryRow(SQLModel, table=True):
    """Items from different sources that report one event; the lead is its first item."""

    __tablename__ = "stories"

    id: int | None = Field(default=None, primary_key=True)
    lead_item_id: str = Field(foreign_key="items.id", max_length=16)
    event_date: datetime = Field(sa_column=_dt(nullable=False))  # earliest reliable published
    event_date_reliable: bool = False  # False: every member's date is only its fetch time
    last_published: datetime = Field(sa_column=_dt(nullable=False, index=True))
    member_count: int = 1
    fingerprint: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))  # the lead's
    created_at: datetime = Field(sa_column=_dt(nullable=False))


class StoryItemRow(SQLModel, table=True):
    """An item's membership of a story, with its own fingerprint for later comparisons."""

    __tablename__ = "story_items"

    item_id: str = Field(foreign_key="items.id", primary_key=True, max_length=16)
    story_id: int = Field(foreign_key="stories.id", index=True)
    published: datetime = Field(sa_column=_dt(nullable=False, index=True))
    fingerprint: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    added_at: datetime = Field(sa_column=_dt(nullable=False))


class WatchRow(SQLModel, table=True):
    """A chat's personal watch: a named query in the rule term syntax."""

    __tablename__ = "watches"
    __table_args__ = (sa.UniqueConstraint("chat_id", "name", name="uq_watches_chat_name"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(
        sa_column=Column(sa.BigInteger, sa.ForeignKey("chats.id"), nullable=False, index=True)
    )
    name: str = Field(max_length=32)
    query: str = Field(max_length=400)
    thread_id: int = 0
    created_at: datetime = Field(sa_column=_dt(nullable=False))


class SpikeAlertRow(SQLModel, table=True):
    """A spike alert already raised: one per topic and day."""

    __tablename__ = "spike_alerts"
    __table_args__ = (sa.UniqueConstraint("topic", "day", name="uq_spike_alerts_topic_day"),)

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=64)
    day: str = Field(max_length=10)  # YYYY-MM-DD (UTC)
    count: int
    baseline: float
    created_at: datetime = Field(sa_column=_dt(nullable=False))


class NoticeRow(SQLModel, table=True):
    """A prepared message to push that is not an item alert: a digest page, a spike alert, an
    admin notice. Drained with the alerts, by the same sender, marked sent only after Telegram
    accepted it."""

    __tablename__ = "notices"
    __table_args__ = (sa.Index("ix_notices_status_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(sa.BigInteger, nullable=False, index=True))
    thread_id: int = 0
    kind: str = Field(max_length=16)  # digest | spike | admin
    text: str = Field(sa_column=Column(sa.Text, nullable=False))  # HTML
    silent: bool = False  # disable_notification (a muted chat)
    # Outbox rows this message delivers (a digest's held alerts): marked sent with it.
    covers: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Inline keyboard rows, [[text, callback_data], …] (a digest's verdict buttons); [] none.
    buttons: list[list[list[str]]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    status: str = Field(default="pending", max_length=16)  # pending | sent | dropped
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=_dt(nullable=False))
    created_at: datetime = Field(sa_column=_dt(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_dt())
    message_id: int | None = None
    last_error: str | None = Field(default=None, max_length=1000)


class VerdictRow(SQLModel, table=True):
    """A tap on an alert's Relevant / Not relevant button: one per (chat, item, topic, user).

    `user_id` is the Telegram user who tapped (in a private chat, its user): a group holds one
    verdict per member and its view is the majority. No names and no message text are stored;
    a chat's verdicts go with the chat (`storage.verdicts.delete_chat`).
    """

    __tablename__ = "verdicts"
    __table_args__ = (
        sa.UniqueConstraint(
            "chat_id", "item_id", "topic", "user_id", name="uq_verdicts_chat_item_topic_user"
        ),
        sa.Index("ix_verdicts_topic_updated", "topic", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(sa.BigInteger, nullable=False, index=True))
    item_id: str = Field(foreign_key="items.id", max_length=16, index=True)
    topic: str = Field(max_length=64)
    user_id: int = Field(sa_column=Column(sa.BigInteger, nullable=False))
    relevant: bool
    created_at: datetime = Field(sa_column=_dt(nullable=False))
    updated_at: datetime = Field(sa_column=_dt(nullable=False))
