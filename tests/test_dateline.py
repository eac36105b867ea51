"""The dateline a wire report opens with (bot/dateline.py): cut off before stories compare
reports and before a summary is made."""

from __future__ import annotations

import pytest

from bot.dateline import strip_dateline
from bot.stories.fingerprint import fingerprint_text
from bot.summarize import summarize


@pytest.mark.parametrize(
    ("text", "news"),
    [
        ("ASTANA, June 17 (Reuters) - Kazakhstan will not recognise", "Kazakhstan will"),
        ("YEREVAN, Armenia (AP) — Armenia froze its participation", "Armenia froze"),
        ("BRUSSELS (AFP) - EU envoys approved a new package", "EU envoys"),
        ("МОСКВА, 17 июня. /ТАСС/. Казахстан не признает", "Казахстан не"),
        ("МИНСК, 17 июня /БЕЛТА/ - Лукашенко провел совещание", "Лукашенко провел"),
        ("ЕРЕВАН, 17 июн — РИА Новости. Пашинян пропустит саммит", "Пашинян пропустит"),
        ("Москва. 17 июня. INTERFAX.RU - Госдума приняла закон", "Госдума приняла"),
        ("БИШКЕК, 17 июня – Sputnik. Жапаров подписал указ", "Жапаров подписал"),
        ("ALMATY, Kazakhstan— The government said", "The government"),
        ("МОСКВА, 5 мая — Кремль заявил", "Кремль заявил"),
    ],
)
def test_a_wire_dateline_is_cut_off(text: str, news: str) -> None:
    assert strip_dateline(text).startswith(news)


@pytest.mark.parametrize(
    "text",
    [
        "Russia, Belarus — allies agree on a joint budget.",  # no news after the dash
        "The EU agreed on Monday to extend sanctions.",
        "Moscow and Minsk agreed - quietly - to merge grids.",
        "США, Евросоюз, Великобритания и Канада договорились отключить банки.",
    ],
)
def test_text_without_a_dateline_is_left_whole(text: str) -> None:
    assert strip_dateline(text) == text


def test_two_desks_filing_one_event_fingerprint_alike() -> None:
    title = "Kazakhstan will not recognise Donetsk, Luhansk, Tokayev says"
    lead = "Kazakhstan will not recognise the Donetsk and Luhansk republics, Tokayev said."
    bare = fingerprint_text(title, lead)
    assert fingerprint_text(title, f"ST PETERSBURG, June 17 (Reuters) - {lead}") == bare
    assert fingerprint_text(title, f"NUR-SULTAN (AP) — {lead}") == bare


def test_a_summary_starts_at_the_news() -> None:
    lead = "Kazakhstan will not recognise the Donetsk and Luhansk republics, Tokayev said."
    assert summarize("Tokayev", f"ST PETERSBURG, June 17 (Reuters) - {lead}") == lead
    assert summarize("Токаев", "МОСКВА, 17 июня. /ТАСС/. Казахстан не признает ДНР и ЛНР.") == (
        "Казахстан не признает ДНР и ЛНР."
    )
