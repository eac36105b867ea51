"""Interface strings in English and Russian; a chat's language picks the table."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "ru")

_EN: dict[str, str] = {
    "welcome": (
        "<b>geoalert</b> watches the news on geopolitical topics and sends you an alert, "
        "with a short summary and its source, whenever a watched topic moves.\n\n"
        "Topics:\n{topics}\n\n"
        "Subscribe with /subscribe TOPIC (e.g. <code>/subscribe csto</code>) or tap the "
        "buttons under /topics. /help lists every command."
    ),
    "help": "Commands:\n{commands}",
    "topics_header": "<b>Topics</b> (matches in the last 7 / 30 days):",
    "topic_line": "{mark} <b>{name}</b> (<code>{id}</code>) — {week} / {month}\n{description}",
    "subscribed_mark": "✅",
    "unsubscribed_mark": "▫️",
    "subscribed": "Subscribed to: {topics}. You will get alerts for new matches from now on.",
    "already_subscribed": "Already subscribed to: {topics}.",
    "unsubscribed": "Unsubscribed from: {topics}.",
    "not_subscribed": "You were not subscribed to: {topics}.",
    "subscriptions": "Subscriptions: {topics}",
    "no_subscriptions": "No subscriptions yet. Try /topics.",
    "unknown_topic": "Unknown topic {topic}. Valid topics: {valid}.",
    "usage_subscribe": "Usage: /subscribe TOPIC… (topics: {valid}).",
    "usage_unsubscribe": "Usage: /unsubscribe TOPIC…|all (topics: {valid}).",
    "usage_timeline": "Usage: /timeline TOPIC [N] (topics: {valid}).",
    "usage_source": "Usage: /source ID — the id is shown under every alert and in /latest.",
    "usage_lang": "Usage: /lang en|ru",
    "bad_number": "{value} is not a number between 1 and {max}.",
    "no_matches": "No matches yet.",
    "latest_header": "<b>Latest matches</b>{topic}:",
    "timeline_header": "<b>Timeline: {topic}</b> ({count} entries, oldest first)",
    "timeline_page": "page {page}/{pages}",
    "no_item": "No item with id <code>{id}</code>.",
    "source_header": "<b>Source of</b> <code>{id}</code>",
    "lang_set": "Language set to English.",
    "muted": "Alerts in this chat now arrive silently. /unmute to undo.",
    "unmuted": "Alerts in this chat now notify again.",
    "unknown_command": "Unknown command {command}. Valid commands: {valid}.",
    "not_allowed": "Sorry, this bot is private: this chat is not on its allowlist.",
    "admins_only": "This command is for the bot's administrators.",
    "status_header": "<b>geoalert {version}</b> — up {uptime}",
    "alert_source": "Source and evidence: /source_{id}",
    "also_reported": "Also reported by: {sources}",
    "story_sources": "Other sources of this story (earliest first):",
    "slow_down": "Too many commands from this chat; please wait a minute.",
    "usage_watch": (
        "Usage: /watch NAME word, other words, -excluded — alerts for new items matching any "
        "of the words (Russian and English forms included; * for any ending). "
        "/unwatch NAME removes it. Example: <code>/watch tokayev Tokayev, Токаев*</code>"
    ),
    "bad_watch": "Watch not saved: {reason}",
    "too_many_watches": "A chat can have at most {max} watches; /unwatch one first.",
    "watch_saved": "Watch <b>{name}</b> saved: new matching items will be sent here.",
    "watch_removed": "Watch <b>{name}</b> removed.",
    "no_watch": "No watch named <b>{name}</b> here.",
    "usage_search": "Usage: /search WORDS — stored items containing them, newest first.",
    "no_results": "Nothing stored matches “{query}”.",
    "search_header": "<b>Search</b> “{query}”, newest first:",
    "usage_trend": "Usage: /trend TOPIC [WEEKS] (topics: {valid}).",
    "trend_caption": "{topic}: {total} stories in {weeks} weeks, {spikes} spike(s) (red ▲).",
    "spike_alert": (
        "📈 <b>Spike: {topic}</b> — {count} stories today against {baseline} a day over the "
        "last 14 days.\nTop terms: {terms}\nSources: {sources}\n/latest {id} · /trend {id}"
    ),
    "usage_digest": (
        "Usage: /digest daily HH:MM [UTC±H] — one message a day with that day's stories "
        "(high-priority topics still arrive at once); /digest off — instant alerts."
    ),
    "digest_enabled": (
        "Daily digest at {time} ({offset}). High-priority topics still arrive at once."
    ),
    "digest_disabled": "Instant alerts again; {count} held alert(s) are on their way.",
    "digest_state": "This chat takes a daily digest at {time} ({offset}). /digest off to stop.",
    "digest_off_state": "This chat gets instant alerts. /digest daily 08:00 UTC+3 for a digest.",
    "digest_header": "<b>Daily digest</b> — {day}",
    "page_prev": "◀ Prev",
    "page_next": "Next ▶",
    "fb_relevant": "Relevant",
    "fb_not_relevant": "Not relevant",
    "fb_undo": "↩ Undo",
    "fb_thanks_relevant": "Thanks: marked relevant.",
    "fb_thanks_not_relevant": "Thanks: marked not relevant; later reports of this story stay out.",
    "fb_undone": "Your verdict is withdrawn.",
    "fb_stale": "This button is no longer valid.",
    "fb_not_received": "This chat never received that alert; nothing was recorded.",
    "usage_feedback": "Usage: /feedback off|on — hide or show the Relevant / Not relevant buttons.",
    "feedback_on": "Alerts in this chat carry the Relevant / Not relevant buttons again.",
    "feedback_off": "Alerts in this chat come without the Relevant / Not relevant buttons.",
    "usage_quality": "Usage: /quality TOPIC (topics: {valid}).",
    "quality_header": (
        "<b>Quality of #{topic}</b> (last 30 days): precision {precision}, "
        "{relevant} of {judged} judged alerts relevant."
    ),
    "quality_none": "No alert of this topic was judged not relevant.",
    "quality_terms": "Terms most often behind “not relevant”: {terms}",
    "quality_latest": "Latest alerts judged not relevant (terms that fired · source):",
    "status_precision": "Precision from verdicts (30 days):",
    "status_no_verdicts": "Precision from verdicts (30 days): no verdicts yet.",
}

_RU: dict[str, str] = {
    "welcome": (
        "<b>geoalert</b> следит за новостями по геополитическим темам и присылает оповещение "
        "с кратким изложением и источником, когда по теме появляется новое.\n\n"
        "Темы:\n{topics}\n\n"
        "Подписка: /subscribe ТЕМА (например, <code>/subscribe csto</code>) или кнопки "
        "под /topics. Все команды — /help."
    ),
    "help": "Команды:\n{commands}",
    "topics_header": "<b>Темы</b> (совпадения за 7 / 30 дней):",
    "topic_line": "{mark} <b>{name}</b> (<code>{id}</code>) — {week} / {month}\n{description}",
    "subscribed_mark": "✅",
    "unsubscribed_mark": "▫️",
    "subscribed": "Подписка оформлена: {topics}. Оповещения придут о новых совпадениях.",
    "already_subscribed": "Вы уже подписаны: {topics}.",
    "unsubscribed": "Подписка отменена: {topics}.",
    "not_subscribed": "Вы не были подписаны: {topics}.",
    "subscriptions": "Подписки: {topics}",
    "no_subscriptions": "Подписок пока нет. Смотрите /topics.",
    "unknown_topic": "Неизвестная тема {topic}. Доступные темы: {valid}.",
    "usage_subscribe": "Использование: /subscribe ТЕМА… (темы: {valid}).",
    "usage_unsubscribe": "Использование: /unsubscribe ТЕМА…|all (темы: {valid}).",
    "usage_timeline": "Использование: /timeline ТЕМА [N] (темы: {valid}).",
    "usage_source": "Использование: /source ID — id указан под каждым оповещением и в /latest.",
    "usage_lang": "Использование: /lang en|ru",
    "bad_number": "{value} — не число от 1 до {max}.",
    "no_matches": "Совпадений пока нет.",
    "latest_header": "<b>Последние совпадения</b>{topic}:",
    "timeline_header": "<b>Хронология: {topic}</b> ({count} записей, от ранних к поздним)",
    "timeline_page": "стр. {page}/{pages}",
    "no_item": "Материал с id <code>{id}</code> не найден.",
    "source_header": "<b>Источник</b> <code>{id}</code>",
    "lang_set": "Язык интерфейса: русский.",
    "muted": "Оповещения в этом чате теперь приходят без звука. Вернуть: /unmute.",
    "unmuted": "Оповещения в этом чате снова со звуком.",
    "unknown_command": "Неизвестная команда {command}. Доступные команды: {valid}.",
    "not_allowed": "Извините, это закрытый бот: этого чата нет в списке разрешённых.",
    "admins_only": "Эта команда только для администраторов бота.",
    "status_header": "<b>geoalert {version}</b> — работает {uptime}",
    "alert_source": "Источник и обоснование: /source_{id}",
    "also_reported": "Также сообщают: {sources}",
    "story_sources": "Другие источники этого сюжета (от ранних к поздним):",
    "slow_down": "Слишком много команд из этого чата; подождите минуту.",
    "usage_watch": (
        "Использование: /watch ИМЯ слово, другие слова, -исключение — оповещения о новых "
        "материалах с любым из слов (с учётом форм слова; * — любое окончание). "
        "/unwatch ИМЯ удаляет. Пример: <code>/watch tokayev Tokayev, Токаев*</code>"
    ),
    "bad_watch": "Наблюдение не сохранено: {reason}",
    "too_many_watches": "В чате может быть не больше {max} наблюдений; сначала /unwatch.",
    "watch_saved": "Наблюдение <b>{name}</b> сохранено: новые совпадения придут сюда.",
    "watch_removed": "Наблюдение <b>{name}</b> удалено.",
    "no_watch": "Здесь нет наблюдения <b>{name}</b>.",
    "usage_search": "Использование: /search СЛОВА — сохранённые материалы с ними, новые первыми.",
    "no_results": "Ничего не найдено по запросу «{query}».",
    "search_header": "<b>Поиск</b> «{query}», новые первыми:",
    "usage_trend": "Использование: /trend ТЕМА [НЕДЕЛЬ] (темы: {valid}).",
    "trend_caption": "{topic}: {total} сюжетов за {weeks} нед., всплесков: {spikes} (красный ▲).",
    "spike_alert": (
        "📈 <b>Всплеск: {topic}</b> — {count} сюжетов сегодня при {baseline} в день за "
        "последние 14 дней.\nЧастые термины: {terms}\nИсточники: {sources}\n"
        "/latest {id} · /trend {id}"
    ),
    "usage_digest": (
        "Использование: /digest daily ЧЧ:ММ [UTC±Ч] — одно сообщение в день с сюжетами за день "
        "(темы высокого приоритета приходят сразу); /digest off — мгновенные оповещения."
    ),
    "digest_enabled": "Ежедневная сводка в {time} ({offset}). Важные темы приходят сразу.",
    "digest_disabled": "Снова мгновенные оповещения; отложенных отправляется: {count}.",
    "digest_state": "Этот чат получает сводку в {time} ({offset}). /digest off — отключить.",
    "digest_off_state": (
        "Этот чат получает мгновенные оповещения. /digest daily 08:00 UTC+3 — сводка."
    ),
    "digest_header": "<b>Ежедневная сводка</b> — {day}",
    "page_prev": "◀ Назад",
    "page_next": "Далее ▶",
    "fb_relevant": "По теме",
    "fb_not_relevant": "Не по теме",
    "fb_undo": "↩ Отменить",
    "fb_thanks_relevant": "Спасибо: отмечено «по теме».",
    "fb_thanks_not_relevant": "Спасибо: отмечено «не по теме»; новые сообщения сюжета не придут.",
    "fb_undone": "Ваша оценка отменена.",
    "fb_stale": "Эта кнопка больше не действует.",
    "fb_not_received": "Этот чат не получал такого оповещения; ничего не записано.",
    "usage_feedback": "Использование: /feedback off|on — скрыть или показать кнопки оценки.",
    "feedback_on": "Оповещения в этом чате снова с кнопками «по теме» / «не по теме».",
    "feedback_off": "Оповещения в этом чате приходят без кнопок оценки.",
    "usage_quality": "Использование: /quality ТЕМА (темы: {valid}).",
    "quality_header": (
        "<b>Качество #{topic}</b> (30 дней): точность {precision}, "
        "{relevant} из {judged} оценённых оповещений по теме."
    ),
    "quality_none": "Ни одно оповещение этой темы не отмечено «не по теме».",
    "quality_terms": "Чаще всего за «не по теме» стоят термины: {terms}",
    "quality_latest": "Последние оповещения «не по теме» (сработавшие термины · источник):",
    "status_precision": "Точность по оценкам (30 дней):",
    "status_no_verdicts": "Точность по оценкам (30 дней): оценок пока нет.",
}

COMMANDS: dict[str, dict[str, str]] = {
    "start": {"en": "what this bot does", "ru": "что умеет бот"},
    "help": {"en": "every command", "ru": "все команды"},
    "topics": {"en": "topics, counts, subscribe buttons", "ru": "темы, счётчики, кнопки"},
    "subscribe": {"en": "TOPIC… — get alerts for topics", "ru": "ТЕМА… — подписаться"},
    "unsubscribe": {"en": "TOPIC…|all — stop alerts", "ru": "ТЕМА…|all — отписаться"},
    "subscriptions": {"en": "this chat's subscriptions", "ru": "подписки этого чата"},
    "latest": {"en": "[TOPIC] [N] — newest matches", "ru": "[ТЕМА] [N] — последние совпадения"},
    "timeline": {"en": "TOPIC [N] — chronology of a topic", "ru": "ТЕМА [N] — хронология темы"},
    "source": {"en": "ID — provenance and evidence", "ru": "ID — источник и обоснование"},
    "search": {"en": "WORDS — full-text search", "ru": "СЛОВА — полнотекстовый поиск"},
    "trend": {"en": "TOPIC [WEEKS] — chart of stories per week", "ru": "ТЕМА [НЕДЕЛЬ] — график"},
    "watch": {"en": "NAME words… — a personal watch", "ru": "ИМЯ слова… — личное наблюдение"},
    "unwatch": {"en": "NAME — remove a watch", "ru": "ИМЯ — удалить наблюдение"},
    "digest": {
        "en": "daily HH:MM [UTC±H] | off — daily digest",
        "ru": "daily ЧЧ:ММ | off — сводка",
    },
    "lang": {"en": "en|ru — interface language", "ru": "en|ru — язык интерфейса"},
    "mute": {"en": "alerts arrive silently", "ru": "оповещения без звука"},
    "unmute": {"en": "alerts notify again", "ru": "оповещения со звуком"},
    "feedback": {"en": "off|on — verdict buttons under alerts", "ru": "off|on — кнопки оценки"},
    "status": {
        "en": "(admins) feeds, errors, backlog, precision",
        "ru": "(админы) ленты, ошибки, очередь, точность",
    },
    "quality": {
        "en": '(admins) TOPIC — what "not relevant" points at',
        "ru": "(админы) ТЕМА — что отмечают «не по теме»",
    },
    "addfeed": {
        "en": "(admins) URL [name] — add a feed",
        "ru": "(админы) URL [имя] — добавить ленту",
    },
    "removefeed": {"en": "(admins) URL — remove a feed", "ru": "(админы) URL — убрать ленту"},
    "feeds": {
        "en": "(admins) retry [URL] — retry failing feeds",
        "ru": "(админы) retry [URL] — повторить ленты",
    },
}

_TABLES = {"en": _EN, "ru": _RU}


def pick_language(code: str | None) -> str:
    """Telegram's `language_code` (e.g. "ru", "ru-RU", "uk") → one of ours; English default."""
    base = (code or "").lower().split("-")[0]
    return base if base in _TABLES else "en"


def t(lang: str | None, key: str, **values: Any) -> str:
    """The string `key` in `lang`, formatted with `values` (callers escape HTML in values)."""
    table = _TABLES.get(pick_language(lang), _EN)
    return table.get(key, _EN[key]).format(**values)
