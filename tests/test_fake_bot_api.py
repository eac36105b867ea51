"""Prove ``FakeBotAPI`` against the real python-telegram-bot ``Bot`` and ``Application``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import HTTPXRequest

from tests.support import fake_bot_api as fake_module
from tests.support.fake_bot_api import FakeBotAPI

fake_bot_api = fake_module.fake_bot_api  # make the fixture available in this module

GROUP_ID = -1001234567890


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(
        fake_bot_api.token,
        base_url=fake_bot_api.base_url,
        base_file_url=fake_bot_api.base_file_url,
    ) as bot:
        yield bot


async def test_get_me(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert me.username == "geoalert_test_bot"
    assert me.is_bot and me.can_join_groups
    assert bot.username == "geoalert_test_bot"  # initialize() already called getMe
    assert [c.method for c in fake_bot_api.calls] == ["getMe", "getMe"]


async def test_send_message_echoes_thread_and_increments_ids(
    bot: Bot, fake_bot_api: FakeBotAPI
) -> None:
    first = await bot.send_message(42, "hello")
    second = await bot.send_message(
        GROUP_ID,
        "topic alert",
        message_thread_id=7,
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Mute", callback_data="m")]]),
    )
    third = await bot.send_message(42, "again")
    assert first.message_id == 1 and third.message_id == 2
    assert first.text == "hello" and first.chat.id == 42 and first.chat.type == "private"
    assert second.message_thread_id == 7 and second.chat.type == "supergroup"
    assert second.reply_markup is not None
    assert second.reply_markup.inline_keyboard[0][0].callback_data == "m"
    assert [c.params["text"] for c in fake_bot_api.sent_messages(chat_id=42)] == [
        "hello",
        "again",
    ]
    topic = fake_bot_api.sent_messages(GROUP_ID)[0].params
    assert topic["message_thread_id"] == 7 and topic["parse_mode"] == "HTML"


async def test_string_params_are_not_json_decoded(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    await bot.send_message(42, "42")
    assert fake_bot_api.sent_messages()[0].params["text"] == "42"


async def test_edit_answer_chat_action_photo_and_commands(
    bot: Bot, fake_bot_api: FakeBotAPI
) -> None:
    sent = await bot.send_message(42, "draft")
    edited = await bot.edit_message_text("final", chat_id=42, message_id=sent.message_id)
    assert not isinstance(edited, bool)
    assert edited.text == "final" and edited.edit_date is not None
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x")]])
    edited = await bot.edit_message_reply_markup(42, sent.message_id, reply_markup=markup)
    assert not isinstance(edited, bool) and edited.reply_markup == markup
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=999)

    assert await bot.send_chat_action(42, ChatAction.TYPING)
    assert await bot.answer_callback_query("cbq-1", text="done")
    photo = await bot.send_photo(42, b"\x89PNG fake bytes", caption="map")
    assert photo.caption == "map" and photo.photo[-1].file_size == 15
    upload = fake_bot_api.calls_to("sendPhoto")[0].params["photo"]
    assert upload.data == b"\x89PNG fake bytes"

    assert await bot.set_my_commands([("start", "Subscribe"), ("stop", "Unsubscribe")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "stop"]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    chat = await bot.get_chat(GROUP_ID)
    assert chat.id == GROUP_ID and chat.type == "supergroup"


async def test_webhook_roundtrip(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    assert await bot.set_webhook("https://example.test/hook", secret_token="s3cret")
    assert fake_bot_api.webhook_secret_token == "s3cret"
    info = await bot.get_webhook_info()
    assert info.url == "https://example.test/hook"
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_429_raises_retry_after_and_is_recorded(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as excinfo:
        await bot.send_message(42, "too fast")
    assert excinfo.value.retry_after == 3
    await bot.send_message(42, "later")
    failed, ok = fake_bot_api.calls_to("sendMessage", include_failed=True)
    assert failed.failed and failed.status == 429 and not ok.failed
    assert ok.at >= failed.at
    assert fake_bot_api.rejected_count("sendMessage", status=429) == 1


@pytest.mark.parametrize(
    ("status", "description", "exc_type", "match"),
    [
        (403, None, Forbidden, "bot was blocked by the user"),
        (400, "Bad Request: can't parse entities: oops", BadRequest, r"(?i)can't parse entities"),
        (500, None, NetworkError, "Internal Server Error"),
        (502, None, NetworkError, "Bad Gateway"),
    ],
)
async def test_error_mapping(
    bot: Bot,
    fake_bot_api: FakeBotAPI,
    status: int,
    description: str | None,
    exc_type: type[Exception],
    match: str,
) -> None:
    fake_bot_api.fail_next("sendMessage", status=status, description=description)
    with pytest.raises(exc_type, match=match):
        await bot.send_message(42, "x")
    assert (await bot.send_message(42, "x")).message_id == 1  # only the next call fails


async def test_fail_next_can_target_one_chat(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.fail_next("sendMessage", status=403, chat_id=7, times=2)
    await bot.send_message(8, "fine")
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(7, "blocked")
    await bot.send_message(7, "unblocked")
    assert fake_bot_api.rejected_count() == 2


async def test_wrong_token_is_invalid_token(fake_bot_api: FakeBotAPI) -> None:
    request = HTTPXRequest()
    bot = Bot("999:wrong", base_url=fake_bot_api.base_url, request=request)
    try:
        with pytest.raises(InvalidToken):
            await bot.get_me()
    finally:
        await request.shutdown()
    assert fake_bot_api.rejected_count("getMe", status=401) == 1


async def test_unknown_method_is_404(fake_bot_api: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake_bot_api.base_url}{fake_bot_api.token}/noSuchMethod")
    assert response.status_code == 404
    assert response.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }


async def test_json_bodies_are_accepted(fake_bot_api: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{fake_bot_api.base_url}{fake_bot_api.token}/sendMessage",
            json={"chat_id": 5, "text": "json"},
        )
    assert response.json()["result"]["text"] == "json"


async def test_get_updates_offset_and_command_entities(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    first = fake_bot_api.inject_message(42, "/start@geoalert_test_bot now")
    second = fake_bot_api.inject_message(GROUP_ID, "just chatting", chat_title="Analysts")
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [first, second]
    message = updates[0].message
    assert message is not None
    assert message.parse_entities() == {message.entities[0]: "/start@geoalert_test_bot"}
    assert updates[1].message is not None and updates[1].message.chat.title == "Analysts"

    # confirming with offset drops the confirmed updates
    assert await bot.get_updates(offset=second + 1, timeout=0) == ()
    assert await bot.get_updates(offset=0, timeout=0) == ()


async def test_get_updates_long_polls_until_injected(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=2))
    await asyncio.to_thread(fake_bot_api.wait_until_polling)
    started = time.monotonic()
    update_id = fake_bot_api.inject_message(42, "/help")
    updates = await poll
    assert [u.update_id for u in updates] == [update_id]
    assert time.monotonic() - started < 1.5  # woke on injection, not on the timeout


@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_rate_limit_mode_and_observer(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.fail_rate_limit(global_per_sec=3, retry_after=1)
    for i in range(3):
        await bot.send_message(i + 1, "ok")
    with pytest.raises(RetryAfter):
        await bot.send_message(9, "over the limit")
    assert fake_bot_api.max_rate("sendMessage") == 3
    assert fake_bot_api.max_rate("sendMessage", chat_id=1) == 1
    assert fake_bot_api.rejected_count(status=429) == 1


async def test_inject_raw_update_and_latency(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    update_id = fake_bot_api.inject_update(
        {
            "message": {
                "message_id": 5,
                "date": 1_700_000_000,
                "chat": {"id": -100, "type": "group", "title": "Old group"},
                "migrate_to_chat_id": -1009999,
            }
        }
    )
    (update,) = await bot.get_updates(timeout=0)
    assert update.update_id == update_id
    assert update.message is not None and update.message.migrate_to_chat_id == -1009999

    fake_bot_api.set_latency(0.2)
    started = time.monotonic()
    await bot.send_message(1, "slow")
    assert time.monotonic() - started >= 0.2
    assert fake_bot_api.sent_messages()[0].at < started + 0.2  # recorded on arrival


async def test_throughput_is_usable_for_benchmarks(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    started = time.monotonic()
    await asyncio.gather(*(bot.send_message(i % 50 + 1, f"m{i}") for i in range(300)))
    assert len(await fake_bot_api.await_calls("sendMessage", count=300)) == 300
    assert time.monotonic() - started < 10
    assert fake_bot_api.max_rate("sendMessage", chat_id=1) >= 1


def test_wait_for_times_out_with_received_calls() -> None:
    with FakeBotAPI() as fake:
        fake.handle(fake.token, "getMe", {})
        with pytest.raises(AssertionError, match=r"(?s)waiting for 1 call.*getMe \[ok\]"):
            fake.wait_for("sendMessage", timeout=0.05)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "Welcome to GeoAlert",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Sanctions", callback_data="s")]]),
    )


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"Subscribed to {query.data}")


@pytest.fixture
async def app(fake_bot_api: FakeBotAPI) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(fake_bot_api.token)
        .base_url(fake_bot_api.base_url)
        .base_file_url(fake_bot_api.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_button))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def test_application_replies_to_start(app: Application, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.inject_message(42, "/start")
    (reply,) = await fake_bot_api.await_calls("sendMessage")
    assert reply.params["chat_id"] == 42 and reply.params["text"] == "Welcome to GeoAlert"
    assert fake_bot_api.calls_to("deleteWebhook")  # start_polling removed any webhook

    fake_bot_api.inject_callback(42, "sanctions", message_id=1)
    await fake_bot_api.await_calls("answerCallbackQuery")
    (edit,) = await fake_bot_api.await_calls("editMessageText")
    assert edit.params == {"chat_id": 42, "message_id": 1, "text": "Subscribed to sanctions"}


async def test_application_start_with_botname_in_group_topic(
    app: Application, fake_bot_api: FakeBotAPI
) -> None:
    fake_bot_api.inject_message(GROUP_ID, "/start@someone_else_bot")  # not for us
    fake_bot_api.inject_message(
        GROUP_ID,
        "/start@geoalert_test_bot",
        user_id=1001,
        chat_type="supergroup",
        chat_title="Analysts",
        message_thread_id=77,
        is_topic_message=True,
    )
    (reply,) = await fake_bot_api.await_calls("sendMessage")
    assert reply.params["chat_id"] == GROUP_ID
    assert reply.params["message_thread_id"] == 77  # reply_text keeps the topic
    assert len(fake_bot_api.sent_messages()) == 1
