"""Personal watches: validated queries compiled like topics."""

from __future__ import annotations

import pytest

from bot.watches import Watch, WatchError, check_name, compile_watches, parse_query


def test_a_watch_matches_its_terms_with_morphology_and_exclusions():
    rules, by_topic = compile_watches(
        [
            Watch(1, "tokayev", "Tokayev, Tokaev, Токаев* -football"),
            Watch(-100, "caps", "price+cap, санкци*"),
        ]
    )
    hits = {m.topic for m in rules.match("Токаеву позвонил Путин", "", "ru")}
    assert {by_topic[t].name for t in hits} == {"tokayev"}
    assert rules.match("Tokayev at the football final", "", "en") == []
    hits = {m.topic for m in rules.match("G7 debates the oil price cap", "", "en")}
    assert [by_topic[t].chat_id for t in hits] == [-100]


@pytest.mark.parametrize(
    "query",
    ["", "-only, -negative", "re:(a+)+$", "x" * 400, "a, " * 20, "<script>", "(a+)+"],
)
def test_bad_queries_are_refused_with_a_reason(query):
    with pytest.raises(WatchError):
        parse_query(query)


def test_names_are_validated():
    assert check_name("Tokayev") == "tokayev"
    for bad in ("", "1abc", "a b", "x" * 40, "имя"):
        with pytest.raises(WatchError):
            check_name(bad)
