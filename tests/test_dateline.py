"""The dateline a wire report opens with (bot/dateline.py): cut off before stories compare
reports and before a summary is made."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.dateline import strip_credit, strip_dateline
from bot.models import Item
from bot.stories.fingerprint import fingerprint, fingerprint_text
from bot.summarize import summarize


@pytest.mark.parametrize(
    ("text", "news"),
    [
        ("ASTANA, June 17 (Reuters) - Kazakhstan will not recognise", "Kazakhstan will"),
        ("YEREVAN, Armenia (AP) — Armenia froze its participation", "Armenia froze"),
        ("BRUSSELS (AFP) - EU envoys approved a new package", "EU envoys"),
        ("МОСКВА, 17 июня. /ТАСС/. Казахстан не признает", "Казахстан не"),
        ("МИНСК, 17 июня /БЕЛТА/ - Лукашенко провел совещание", "Лукашенко провел"),
        ("ЕРЕВАН, 17 июня. /Корр. ИТАР-ТАСС/. Пашинян заявил", "Пашинян заявил"),
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


@pytest.mark.parametrize(
    ("title", "outlet", "news"),
    [
        (
            "EU adopts 14th sanctions package - Steppe Wire",
            "Steppe Wire",
            "EU adopts 14th sanctions package",
        ),
        ("Armenia skips CSTO summit | STEPPE WIRE", "Steppe Wire", "Armenia skips CSTO summit"),
        (
            "Армения пропустит саммит ОДКБ — Степной вестник",
            "Степной вестник",
            "Армения пропустит саммит ОДКБ",
        ),
        (
            "Армения — наш союзник, заявил Песков",
            "Степной вестник",
            "Армения — наш союзник, заявил Песков",
        ),
        ("Steppe Wire", "Steppe Wire", "Steppe Wire"),  # nothing but the name: kept
        ("Ties with Russia - a review", "", "Ties with Russia - a review"),
    ],
)
def test_a_headline_loses_its_outlets_name_only(title: str, outlet: str, news: str) -> None:
    assert strip_credit(title, outlet) == news


def test_one_event_from_two_outlets_fingerprints_alike_with_their_names_appended() -> None:
    def item(title: str, publisher: str) -> Item:
        when = datetime(2024, 6, 24, 12, 0, tzinfo=UTC)
        return Item(
            id=publisher, source="https://feeds.example/x", source_name=publisher, key=publisher,
            title=title, text="EU envoys approved the 14th package.", link=None,
            publisher=publisher, language="en", published=when, published_origin="feed",
            fetched=when,
        )  # fmt: skip

    bare = fingerprint(item("EU adopts 14th sanctions package", "Steppe Wire"))
    assert (
        fingerprint(item("EU adopts 14th sanctions package - Steppe Wire", "Steppe Wire")) == bare
    )
    assert (
        fingerprint(item("EU adopts 14th sanctions package | Caspian Post", "Caspian Post")) == bare
    )
