"""The facade's chat side: registration, subscriptions, language, mute, watches, digests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.service.base import Base, now_or
from bot.service.records import DigestSettings, TopicsOverview
from bot.watches import MAX_WATCHES_PER_CHAT, Watch, check_name, compile_watches
from storage import chats, outbox
from storage.items import match_counts
from storage.watches import chat_watches, delete_watch, save_watch


class ChatsMixin(Base):
    """Questions a chat asks about itself."""

    def register_chat(
        self,
        chat_id: int,
        *,
        chat_type: str,
        title: str | None,
        user_language: str | None,
        now: datetime | None = None,
    ) -> None:
        """Remember the chat (type, title, the user's Telegram language)."""
        self.write(
            lambda s: chats.touch_chat(
                s, chat_id, chat_type=chat_type, title=title, user_language=user_language,
                now=now_or(now),
            )
        )  # fmt: skip

    def chat_language(self, chat_id: int) -> str | None:
        """The chat's /lang override, else its user's Telegram language, when known."""
        info = self.read(lambda s: chats.get_chat(s, chat_id))
        return info.language if info else None

    def subscriptions(self, chat_id: int) -> list[str]:
        return list(self.read(lambda s: chats.subscriptions(s, chat_id)))

    def subscribe(
        self,
        chat_id: int,
        topics: Sequence[str],
        *,
        thread_id: int = 0,
        now: datetime | None = None,
    ) -> list[str]:
        """Subscribe to `topics` from now on; the topics newly subscribed."""
        return self.write(
            lambda s: chats.subscribe(s, chat_id, topics, thread_id=thread_id, now=now_or(now))
        )

    def unsubscribe(self, chat_id: int, topics: Sequence[str] | None) -> list[str]:
        """Unsubscribe from `topics` (None: all); the topics removed."""
        return self.write(lambda s: chats.unsubscribe(s, chat_id, topics))

    def toggle_topic(
        self, chat_id: int, topic_id: str, *, thread_id: int = 0, now: datetime | None = None
    ) -> bool:
        """Subscribe when not subscribed, else unsubscribe; True when now subscribed."""

        def toggle(s: Session) -> bool:
            if topic_id in chats.subscriptions(s, chat_id):
                chats.unsubscribe(s, chat_id, [topic_id])
                return False
            chats.subscribe(s, chat_id, [topic_id], thread_id=thread_id, now=now_or(now))
            return True

        return self.write(toggle)

    def topics_overview(self, chat_id: int, now: datetime | None = None) -> TopicsOverview:
        now = now_or(now)

        def query(s: Session) -> TopicsOverview:
            week = match_counts(s, since=now - timedelta(days=7))
            month = match_counts(s, since=now - timedelta(days=30))
            return TopicsOverview(week, month, frozenset(chats.subscriptions(s, chat_id)))

        return self.read(query)

    def set_language(self, chat_id: int, language: str) -> None:
        self.write(lambda s: chats.set_language(s, chat_id, language))

    def set_muted(self, chat_id: int, muted: bool) -> None:
        self.write(lambda s: chats.set_muted(s, chat_id, muted))

    def migrate_chat(self, old_id: int, new_id: int, now: datetime | None = None) -> None:
        """A group became a supergroup: its subscriptions move to the new chat id."""
        self.write(lambda s: chats.migrate_chat(s, old_id, new_id, now=now_or(now)))

    # -- watches and digests -------------------------------------------------------------------

    def watches(self, chat_id: int) -> list[Watch]:
        return self.read(lambda s: chat_watches(s, chat_id))

    def watch_from(self, chat_id: int, name: str, query: str, *, thread_id: int = 0) -> Watch:
        """A watch checked and compiled as the poller will; raises `RuleError` saying why."""
        watch = Watch(chat_id, check_name(name), query, thread_id)
        compile_watches([watch])
        return watch

    def add_watch(self, watch: Watch, now: datetime | None = None) -> bool:
        """Store a watch (a new name, or a new query for an existing one); False when the chat
        already has `MAX_WATCHES_PER_CHAT` other watches."""

        def store(s: Session) -> bool:
            existing = {w.name for w in chat_watches(s, watch.chat_id)}
            if watch.name not in existing and len(existing) >= MAX_WATCHES_PER_CHAT:
                return False
            save_watch(s, watch, now=now_or(now))
            return True

        return self.write(store)

    def remove_watch(self, chat_id: int, name: str) -> bool:
        return self.write(lambda s: delete_watch(s, chat_id, name))

    def digest_settings(self, chat_id: int) -> DigestSettings:
        when, offset = self.read(lambda s: chats.digest_settings(s, chat_id))
        return DigestSettings(when, offset)

    def set_digest(self, chat_id: int, when: str, *, offset_minutes: int = 0) -> None:
        """One digest a day at local `when` ("HH:MM"); normal-priority alerts wait for it."""
        self.write(lambda s: chats.set_digest(s, chat_id, when, offset_minutes=offset_minutes))

    def digest_off(self, chat_id: int) -> int:
        """Instant alerts again; the held alerts are released. How many were held."""

        def off(s: Session) -> int:
            chats.set_digest(s, chat_id, None)
            return outbox.release_digest(s, chat_id)

        return self.write(off)
