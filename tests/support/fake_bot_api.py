"""A fake Telegram Bot API server on loopback for tests that use the real PTB stack.

``FakeBotAPI`` runs a stdlib ``ThreadingHTTPServer`` in a background thread (so it works
from any event loop) and speaks the HTTP Bot API the way python-telegram-bot's
``HTTPXRequest`` uses it: ``POST {base_url}{token}/{method}`` with url-encoded or multipart
bodies (JSON bodies and query strings are accepted too). Every call is recorded as a
:class:`Call`; user input is injected as updates served by long-polling ``getUpdates``;
failures (429/403/400/5xx), latency and a Telegram-like rate limit can be injected.

Typical use::

    def test_x(fake_bot_api):
        bot = telegram.Bot(fake_bot_api.token, base_url=fake_bot_api.base_url)
        ...
        fake_bot_api.wait_for("sendMessage", count=2)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from tests.support import fake_bot_api_objects as obj
from tests.support.fake_bot_api_objects import JSONDict, UploadedFile

__all__ = ["Call", "FakeBotAPI", "UploadedFile", "fake_bot_api"]

DEFAULT_TOKEN = "123456789:AAFakeTokenForGeoalertTests_0123456789"
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "copyMessage"})
CallMatcher = str | Callable[["Call"], bool]


@dataclass(frozen=True)
class Call:
    """One request received by the fake (successful or rejected)."""

    method: str
    params: JSONDict
    at: float  # time.monotonic() when the request arrived
    status: int = 200
    failed: bool = False
    description: str | None = None
    result: Any = None  # what the fake answered (e.g. the sent Message)

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass
class _Fault:
    method: str
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: Any


class FakeBotAPI:
    """In-process fake of the Telegram Bot API; see the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "geoalert_test_bot",
        max_poll_timeout: float = 2.0,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_username = bot_username
        self.max_poll_timeout = max_poll_timeout
        self.calls: list[Call] = []
        self.webhook_url = ""
        self.webhook_secret_token: str | None = None
        self.latency = 0.0
        self.down = False  # True: every request is hung up on without an answer (an outage)
        self._webhook_params: JSONDict = {}
        self._cond = threading.Condition()
        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._store = obj.MessageStore(obj.bot_user(self.bot_id, bot_username))
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._faults: list[_Fault] = []
        self._rate_global: int | None = None
        self._rate_per_chat: int | None = None
        self._rate_retry_after = 1
        self._recent_sends: collections.deque[tuple[float, Any]] = collections.deque()
        self._stopping = False
        self.waiting_pollers = 0  # getUpdates requests currently long-polling
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._handlers: dict[str, tuple[str, Callable[[JSONDict], Any]]] = {
            name.lower(): (name, fn)
            for name, fn in {
                "getMe": lambda p: obj.bot_user(self.bot_id, self.bot_username),
                "getUpdates": self._get_updates,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": lambda p: obj.webhook_info(
                    self.webhook_url, len(self._updates), self._webhook_params
                ),
                "setMyCommands": self._set_my_commands,
                "getMyCommands": lambda p: self._commands.get(self._commands_key(p), []),
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._store.send_message,
                "sendPhoto": self._store.send_photo,
                "editMessageText": self._store.edit_message_text,
                "editMessageReplyMarkup": self._store.edit_message_reply_markup,
                "answerCallbackQuery": lambda p: True,
                "sendChatAction": lambda p: True,
                "getChat": lambda p: obj.chat_full_info(
                    self._store.chat(obj.require(p, "chat_id"))
                ),
                "close": lambda p: True,
                "logOut": lambda p: True,
            }.items()
        }

    # ------------------------------------------------------------------ lifecycle
    @property
    def port(self) -> int:
        assert self._server is not None, "FakeBotAPI is not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> FakeBotAPI:
        if self._server is not None:
            return self
        self._stopping = False
        self._server = obj.make_server(
            self.handle, lambda: self.latency, self._connections, lambda: self.down
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-bot-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            connections = self._connections.copy()  # atomic under the GIL
        server.shutdown()
        server.server_close()
        for conn in connections:  # unblock keep-alive handler threads
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ inspection
    def calls_to(self, method: str, *, include_failed: bool = False) -> list[Call]:
        """Calls to ``method`` (successful ones only unless ``include_failed``)."""
        with self._cond:
            return list(filter(_matcher(method, include_failed), self.calls))

    def sent_messages(self, chat_id: Any = None) -> list[Call]:
        """Successful ``sendMessage`` calls, optionally only those to ``chat_id``."""
        return [
            c
            for c in self.calls_to("sendMessage")
            if chat_id is None or str(c.chat_id) == str(chat_id)
        ]

    @property
    def rejected_calls(self) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.failed]

    def rejected_count(self, method: str | None = None, *, status: int | None = None) -> int:
        """Number of calls answered with an error (optionally per method / status)."""
        return sum(
            1
            for c in self.rejected_calls
            if (method is None or c.method == method) and (status is None or c.status == status)
        )

    def clear_calls(self) -> None:
        with self._cond:
            self.calls.clear()

    def wait_for(
        self,
        predicate_or_method: CallMatcher,
        count: int = 1,
        timeout: float = 5.0,
        *,
        include_failed: bool = False,
    ) -> list[Call]:
        """Block until ``count`` matching calls were recorded; return them.

        A method name matches successful calls to it (plus failed ones if
        ``include_failed``); a predicate sees every call. Raises ``AssertionError``
        listing what was received on timeout.
        """

        predicate = _matcher(predicate_or_method, include_failed)
        got: list[Call] = []
        scanned = 0

        def enough() -> bool:  # scans only calls recorded since the last wake-up
            nonlocal scanned
            if scanned > len(self.calls):  # clear_calls() happened
                got.clear()
                scanned = 0
            got.extend(c for c in self.calls[scanned:] if predicate(c))
            scanned = len(self.calls)
            return len(got) >= count

        with self._cond:
            if self._cond.wait_for(enough, timeout=timeout):
                return list(got)
            received = "\n".join(f"  {_describe(c)}" for c in self.calls) or "  (nothing)"
        what = predicate_or_method if isinstance(predicate_or_method, str) else "predicate"
        raise AssertionError(
            f"timed out after {timeout}s waiting for {count} call(s) matching {what!r}; "
            f"{len(got)} matched. Received:\n{received}"
        )

    def wait_until_polling(self, timeout: float = 5.0) -> None:
        """Block until a ``getUpdates`` request is parked in its long poll."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.waiting_pollers > 0, timeout=timeout):
                raise AssertionError(f"no getUpdates long-poll arrived within {timeout}s")

    async def await_calls(
        self,
        predicate_or_method: CallMatcher,
        count: int = 1,
        timeout: float = 5.0,
        *,
        include_failed: bool = False,
    ) -> list[Call]:
        """``wait_for`` run in a worker thread so the event loop keeps running."""
        return await asyncio.to_thread(
            self.wait_for, predicate_or_method, count, timeout, include_failed=include_failed
        )

    def max_rate(
        self, method: str | None = "sendMessage", *, chat_id: Any = None, window: float = 1.0
    ) -> int:
        """Max number of successful calls (default ``sendMessage``; ``None`` = all send
        methods) in any sliding ``window`` seconds, globally or for one chat."""
        with self._cond:
            times = [
                c.at
                for c in self.calls
                if not c.failed
                and (c.method == method if method else c.method in SEND_METHODS)
                and (chat_id is None or str(c.chat_id) == str(chat_id))
            ]
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    # ------------------------------------------------------------------ injection
    def inject_update(self, update: JSONDict) -> int:
        """Queue a raw update (``update_id`` assigned if missing); return its id."""
        with self._cond:
            update = dict(update)
            update.setdefault("update_id", self._next_update_id)
            self._next_update_id = max(self._next_update_id, update["update_id"]) + 1
            self._updates.append(update)
            self._cond.notify_all()
            return int(update["update_id"])

    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        username: str | None = "test_user",
        first_name: str = "Test",
        language_code: str | None = "en",
        message_thread_id: int | None = None,
        is_topic_message: bool = False,
        chat_title: str | None = None,
    ) -> int:
        """Queue a text message from a user; leading ``/cmd`` gets a ``bot_command`` entity."""
        with self._cond:
            chat = self._store.register_chat(chat_id, chat_type, chat_title, username, first_name)
            if is_topic_message:
                chat["is_forum"] = True
            message = self._store.new_message(chat_id, text=text)
            message["from"] = _user(chat_id, user_id, username, first_name, language_code)
            if entities := obj.command_entities(text):
                message["entities"] = entities
            if message_thread_id is not None:
                message["message_thread_id"] = message_thread_id
            if is_topic_message:
                message["is_topic_message"] = True
        return self.inject_update({"message": message})

    def inject_callback(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int,
        user_id: int | None = None,
        chat_type: str | None = None,
        username: str | None = "test_user",
        first_name: str = "Test",
        language_code: str | None = "en",
        chat_title: str | None = None,
    ) -> int:
        """Queue a ``callback_query`` for a button on (bot) message ``message_id``."""
        with self._cond:
            chat = self._store.register_chat(chat_id, chat_type, chat_title, username, first_name)
            message = self._store.messages.get((chat_id, message_id)) or {
                "message_id": message_id,
                "date": obj.now_ts(),
                "chat": chat,
                "from": obj.bot_user(self.bot_id, self.bot_username),
                "text": "(message)",
            }
            query = {
                "id": f"cbq-{self._next_update_id}",
                "from": _user(chat_id, user_id, username, first_name, language_code),
                "chat_instance": f"ci-{chat_id}",
                "message": message,
                "data": data,
            }
        return self.inject_update({"callback_query": query})

    # ------------------------------------------------------------------ faults
    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: Any = None,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` (optionally for one chat) with a
        Telegram-shaped error. 429 carries ``parameters.retry_after`` (default 1)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._cond:
            self._faults.append(
                _Fault(
                    method,
                    status,
                    description or obj.default_description(status, retry_after),
                    retry_after if status == 429 else None,
                    times,
                    chat_id,
                )
            )

    def fail_rate_limit(
        self,
        global_per_sec: int | None = 30,
        *,
        per_chat_per_sec: int | None = None,
        retry_after: int = 1,
    ) -> None:
        """Answer 429 to send methods exceeding these rates (sliding 1 s window)."""
        with self._cond:
            self._rate_global, self._rate_per_chat = global_per_sec, per_chat_per_sec
            self._rate_retry_after = retry_after

    def clear_faults(self) -> None:
        with self._cond:
            self._faults.clear()
            self._rate_global = self._rate_per_chat = None

    def set_latency(self, seconds: float) -> None:
        """Delay every response by ``seconds`` (after the call is recorded)."""
        self.latency = seconds

    # ------------------------------------------------------------------ request handling
    def handle(self, token: str, method: str, params: JSONDict) -> tuple[int, JSONDict]:
        """Process one API request; returns (HTTP status, JSON body). Thread-safe."""
        with self._cond:
            at = time.monotonic()
            canonical, fn = self._handlers.get(method.lower(), (method, None))
            try:
                if token != self.token:
                    raise obj.ApiError(401, "Unauthorized")
                if fn is None:
                    raise obj.ApiError(404, "Not Found: method not found")
                self._check_faults(canonical, params, at)
                result = fn(params)
            except obj.ApiError as err:
                self._record(Call(canonical, params, at, err.status, True, err.description))
                return err.status, obj.error_body(err.status, err.description, err.retry_after)
            self._record(Call(canonical, params, at, result=result))
        return 200, {"ok": True, "result": result}

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        if not call.failed and call.method in SEND_METHODS:
            self._recent_sends.append((call.at, call.chat_id))
        self._cond.notify_all()

    def _check_faults(self, method: str, params: JSONDict, at: float) -> None:
        for fault in self._faults:
            if fault.method == method and (
                fault.chat_id is None or str(fault.chat_id) == str(params.get("chat_id"))
            ):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                raise obj.ApiError(fault.status, fault.description, fault.retry_after)
        if method not in SEND_METHODS or (self._rate_global is None and not self._rate_per_chat):
            return
        while self._recent_sends and at - self._recent_sends[0][0] >= 1.0:
            self._recent_sends.popleft()
        chat = str(params.get("chat_id"))
        per_chat = sum(1 for _, c in self._recent_sends if str(c) == chat)
        if (self._rate_global is not None and len(self._recent_sends) >= self._rate_global) or (
            self._rate_per_chat is not None and per_chat >= self._rate_per_chat
        ):
            retry = self._rate_retry_after
            raise obj.ApiError(429, f"Too Many Requests: retry after {retry}", retry)

    def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise obj.ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = min(float(params.get("timeout") or 0), self.max_poll_timeout)
        if offset > 0:  # confirming: drop everything before offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        def pending() -> list[JSONDict]:
            return [u for u in self._updates if u["update_id"] >= offset][:limit]

        self.waiting_pollers += 1
        self._cond.notify_all()
        try:
            self._cond.wait_for(lambda: self._stopping or bool(pending()), timeout=timeout)
        finally:
            self.waiting_pollers -= 1
        return pending()

    def _set_webhook(self, params: JSONDict) -> bool:
        self.webhook_url = str(params.get("url") or "")
        self.webhook_secret_token = params.get("secret_token")
        self._webhook_params = dict(params)
        return True

    def _delete_webhook(self, params: JSONDict) -> bool:
        self.webhook_url, self.webhook_secret_token, self._webhook_params = "", None, {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSONDict) -> bool:
        self._commands[self._commands_key(params)] = list(obj.require(params, "commands"))
        return True

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True


def _matcher(predicate_or_method: CallMatcher, include_failed: bool) -> Callable[[Call], bool]:
    if not isinstance(predicate_or_method, str):
        return predicate_or_method
    method = predicate_or_method
    return lambda c: c.method == method and (include_failed or not c.failed)


def _user(
    chat_id: int, user_id: int | None, username: str | None, first_name: str, lang: str | None
) -> JSONDict:
    """The sender: by default the private chat's peer, or user 4242 in groups."""
    uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 4242)
    return obj.human_user(uid, username=username, first_name=first_name, language_code=lang)


def _describe(call: Call) -> str:
    params = {
        k: (v if not isinstance(v, UploadedFile) else "<file>") for k, v in call.params.items()
    }
    status = f"FAILED {call.status} {call.description}" if call.failed else "ok"
    return f"{call.method} [{status}] {params}"


@pytest.fixture
def fake_bot_api() -> Iterator[FakeBotAPI]:
    """A started :class:`FakeBotAPI`, stopped after the test."""
    with FakeBotAPI() as fake:
        yield fake
