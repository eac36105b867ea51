"""Helpers for ``FakeBotAPI``: Bot API objects, request parsing, message store, HTTP plumbing.

The builders return dicts shaped like the objects the real Bot API returns, complete enough
for python-telegram-bot's ``de_json``; ``parse_body`` turns url-encoded/multipart/JSON
request bodies into parameter dicts; ``MessageStore`` keeps chats and sent messages (no
locking: the caller holds its lock); ``make_server`` is the stdlib HTTP server front-end.
"""

from __future__ import annotations

import collections
import contextlib
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

JSONDict = dict[str, Any]

# Parameters whose form-encoded value is a plain string and must NOT be JSON-decoded
# (PTB sends non-string values JSON-encoded and strings verbatim, so ``text="42"`` would
# otherwise come back as the integer 42).
STRING_PARAMS = frozenset(
    {
        "action",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "custom_emoji_id",
        "data",
        "description",
        "document",
        "emoji",
        "explanation",
        "file_id",
        "inline_message_id",
        "ip_address",
        "language_code",
        "message_effect_id",
        "name",
        "parse_mode",
        "photo",
        "question",
        "secret_token",
        "short_description",
        "sticker",
        "text",
        "title",
        "url",
        "video",
        "voice",
    }
)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (e.g. the ``photo`` of ``sendPhoto``)."""

    field: str
    filename: str | None
    content_type: str
    data: bytes


def decode_form_value(key: str, raw: str) -> Any:
    """Decode one form value the way the Bot API does: JSON unless it is a string param."""
    if key in STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def parse_body(content_type: str, body: bytes, query: str = "") -> JSONDict:
    """Parse query string plus a JSON, url-encoded or multipart body into a params dict.

    Uploaded files appear as :class:`UploadedFile` values under their field name.
    """
    params: JSONDict = {k: decode_form_value(k, v) for k, v in parse_qsl(query)}
    mime = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return params
    if mime == "application/json":
        loaded = json.loads(body.decode("utf-8"))
        if not isinstance(loaded, dict):
            raise ValueError("JSON body must be an object")
        params.update(loaded)
    elif mime == "multipart/form-data":
        header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = BytesParser(policy=policy.HTTP).parsebytes(header + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is None and part.get_content_type() == "text/plain":
                charset = part.get_content_charset() or "utf-8"
                params[name] = decode_form_value(name, payload.decode(charset))
            else:
                params[name] = UploadedFile(name, filename, part.get_content_type(), payload)
    else:  # application/x-www-form-urlencoded (what PTB's HTTPXRequest sends) or unknown
        for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            params[key] = decode_form_value(key, value)
    return params


def now_ts() -> int:
    """Current unix time as the Bot API reports dates."""
    return int(time.time())


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for entity offsets/lengths."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[JSONDict]:
    """``bot_command`` entity for a leading ``/cmd`` or ``/cmd@botname`` token, if any."""
    if not text.startswith("/") or len(text) < 2:
        return []
    token = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(token)}]


def bot_user(bot_id: int, username: str, first_name: str = "GeoAlert Test") -> JSONDict:
    """The ``getMe`` result."""
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": first_name,
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def human_user(
    user_id: int, *, username: str | None, first_name: str, language_code: str | None
) -> JSONDict:
    """A non-bot ``User``."""
    user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username is not None:
        user["username"] = username
    if language_code is not None:
        user["language_code"] = language_code
    return user


def chat_type_for_id(chat_id: int) -> str:
    """Guess the chat type from the id sign/prefix like Telegram's id scheme."""
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def build_chat(
    chat_id: int,
    chat_type: str,
    *,
    title: str | None = None,
    username: str | None = None,
    first_name: str | None = None,
    is_forum: bool = False,
) -> JSONDict:
    """A ``Chat`` object (the short form embedded in messages)."""
    chat: JSONDict = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = first_name or "Test"
        if username:
            chat["username"] = username
    else:
        chat["title"] = title or f"Test {chat_type} {chat_id}"
        if username and chat_type == "channel":
            chat["username"] = username
    if is_forum:
        chat["is_forum"] = True
    return chat


def chat_full_info(chat: JSONDict) -> JSONDict:
    """A ``ChatFullInfo`` (the ``getChat`` result) extending a short ``Chat``."""
    return {
        **chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def photo_sizes(upload: object, message_id: int) -> list[JSONDict]:
    """``PhotoSize`` list for a sent photo (an upload, a file_id or a URL)."""
    size = len(upload.data) if isinstance(upload, UploadedFile) else 1024
    base = f"fake-photo-{message_id}"
    return [
        {
            "file_id": f"{base}-s",
            "file_unique_id": f"{base}-su",
            "width": 90,
            "height": 90,
            "file_size": max(size // 10, 1),
        },
        {
            "file_id": f"{base}-m",
            "file_unique_id": f"{base}-mu",
            "width": 800,
            "height": 800,
            "file_size": size,
        },
    ]


def webhook_info(url: str, pending: int, params: JSONDict) -> JSONDict:
    """The ``getWebhookInfo`` result."""
    info: JSONDict = {"url": url, "has_custom_certificate": False, "pending_update_count": pending}
    if url:
        info["max_connections"] = int(params.get("max_connections", 40))
        if params.get("allowed_updates") is not None:
            info["allowed_updates"] = params["allowed_updates"]
        if params.get("ip_address"):
            info["ip_address"] = params["ip_address"]
    return info


def error_body(status: int, description: str, retry_after: int | None = None) -> JSONDict:
    """The Bot API error envelope."""
    body: JSONDict = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request: message text is empty",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def default_description(status: int, retry_after: int | None) -> str:
    """Telegram-style description for an injected failure."""
    if status == 429:
        return f"Too Many Requests: retry after {retry_after if retry_after is not None else 1}"
    return DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")


class ApiError(Exception):
    """Raised by method handlers to answer with a Bot API error."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


def require(params: JSONDict, key: str) -> Any:
    """``params[key]`` or a Telegram-style 400 if it is missing."""
    if params.get(key) in (None, ""):
        raise ApiError(400, f"Bad Request: {key} is empty")
    return params[key]


class MessageStore:
    """Chats and messages known to the fake. Not thread-safe: callers hold their lock."""

    def __init__(self, bot: JSONDict) -> None:
        self.bot = bot
        self.chats: dict[Any, JSONDict] = {}
        self.messages: dict[tuple[Any, int], JSONDict] = {}
        self._last_ids: dict[Any, int] = collections.defaultdict(int)

    def register_chat(
        self,
        chat_id: Any,
        chat_type: str | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> JSONDict:
        known = self.chats.get(chat_id)
        if known is None or chat_type is not None or title is not None:
            numeric = chat_id if isinstance(chat_id, int) else -1001
            kind = chat_type or (known or {}).get("type") or chat_type_for_id(numeric)
            title = title or (known or {}).get("title")
            known = build_chat(chat_id, kind, title=title, username=username, first_name=first_name)
            self.chats[chat_id] = known
        return known

    def chat(self, chat_id: Any) -> JSONDict:
        return self.chats.get(chat_id) or self.register_chat(chat_id)

    def new_message(self, chat_id: Any, **fields: Any) -> JSONDict:
        """A message with the chat's next message_id (ids are per chat, like Telegram)."""
        self._last_ids[chat_id] += 1
        message_id = self._last_ids[chat_id]
        message = {"message_id": message_id, "date": now_ts(), "chat": self.chat(chat_id)}
        message.update(fields)
        self.messages[(chat_id, message_id)] = message
        return message

    def bot_message(self, params: JSONDict, **fields: Any) -> JSONDict:
        """A message sent by the bot, echoing thread id, entities and inline keyboard."""
        chat_id = require(params, "chat_id")
        fields["from"] = self.bot
        for key in ("message_thread_id", "entities", "caption_entities"):
            if params.get(key) is not None:
                fields[key] = params[key]
        if params.get("message_thread_id") is not None and self.chat(chat_id).get("is_forum"):
            fields["is_topic_message"] = True
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        return self.new_message(chat_id, **fields)

    def send_message(self, params: JSONDict) -> JSONDict:
        return self.bot_message(params, text=str(require(params, "text")))

    def send_photo(self, params: JSONDict) -> JSONDict:
        photo = require(params, "photo")
        fields: JSONDict = {"photo": photo_sizes(photo, self._last_ids[params.get("chat_id")] + 1)}
        if params.get("caption"):
            fields["caption"] = params["caption"]
        return self.bot_message(params, **fields)

    def _edit(self, params: JSONDict, **changes: Any) -> JSONDict | bool:
        if params.get("inline_message_id"):
            return True
        key = (require(params, "chat_id"), int(require(params, "message_id")))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        message.update(changes, edit_date=now_ts())
        if "reply_markup" not in params:
            message.pop("reply_markup", None)
        return dict(message)

    def edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        changes: JSONDict = {"text": str(require(params, "text"))}
        if isinstance(params.get("reply_markup"), dict):
            changes["reply_markup"] = params["reply_markup"]
        return self._edit(params, **changes)

    def edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        markup = params.get("reply_markup")
        return self._edit(params, **({"reply_markup": markup} if markup else {}))


Handle = Callable[[str, str, JSONDict], tuple[int, JSONDict]]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024  # listen backlog; PTB opens up to 256 connections at once


def make_server(
    handle: Handle,
    latency: Callable[[], float],
    connections: set[socket.socket],
    is_down: Callable[[], bool] = lambda: False,
) -> ThreadingHTTPServer:
    """HTTP server on a random loopback port routing ``/bot<token>/<method>`` to ``handle``.

    ``latency()`` seconds are slept before each response; open keep-alive sockets are
    tracked in ``connections`` so the owner can shut them down on stop.
    """

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # headers and body are separate writes: without this, Nagle + delayed ACK
            # add ~40 ms to every response
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connections.add(self.connection)

        def finish(self) -> None:
            with contextlib.suppress(OSError):
                super().finish()
            connections.discard(self.connection)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                self.rfile.readline()
                return b"".join(chunks)
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _serve(self) -> None:
            if is_down():  # an outage: hang up without an answer, like a dead server
                self.close_connection = True
                return
            url = urlsplit(self.path)
            body = self._read_body()
            parts = url.path.split("/")
            if len(parts) == 3 and parts[1].startswith("bot"):
                try:
                    params = parse_body(self.headers.get("Content-Type", ""), body, url.query)
                except ValueError as exc:
                    status, payload = 400, error_body(400, f"Bad Request: {exc}")
                else:
                    status, payload = handle(parts[1][3:], parts[2], params)
            else:
                status, payload = 404, error_body(404, "Not Found")
            if (delay := latency()) > 0:
                time.sleep(delay)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return _Server(("127.0.0.1", 0), Handler)
