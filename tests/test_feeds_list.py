"""feeds.yaml loading: the shipped list is valid; every mistake is reported as file:line: reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import FeedError
from bot.models import FeedConfig
from bot.sources.feedlist import load_feeds

REPO = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(FeedError) as info:
        load_feeds(path)
    return str(info.value)


def test_shipped_feed_list_is_valid() -> None:
    feeds = load_feeds(REPO / "feeds.yaml")
    assert len(feeds) >= 10
    assert all(f.url.startswith(("https://", "http://")) and f.name for f in feeds)
    assert {f.language for f in feeds} <= {"en", "ru"}
    assert all(f.tags for f in feeds)  # every outlet says what kind of source it is


def test_full_entry_is_loaded(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# comment\n"
        "- url: https://tass.com/rss/v2.xml\n"
        "  name: TASS\n"
        "  interval: 300\n"
        "  language: EN\n"
        "  tags: [wire, state media, wire]\n"
        "- url: https://meduza.io/rss/en/all\n"
        "  name: Meduza\n",
    )
    assert load_feeds(path) == [
        FeedConfig(
            url="https://tass.com/rss/v2.xml",
            name="TASS",
            interval=300,
            language="en",
            tags=("wire", "state media"),
        ),
        FeedConfig(url="https://meduza.io/rss/en/all", name="Meduza"),
    ]


def test_missing_file_gives_an_empty_list(tmp_path: Path) -> None:
    assert load_feeds(tmp_path / "absent.yaml") == []


def test_empty_file_gives_an_empty_list(tmp_path: Path) -> None:
    assert load_feeds(write(tmp_path, "# nothing here yet\n")) == []


def test_unknown_key_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "- url: https://a.example/rss\n  name: A\n  intervall: 60\n")
    message = error_of(path)
    assert message.startswith(f"{path}:3: unknown key 'intervall'")


def test_missing_url_names_the_entry_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "- url: https://a.example/rss\n  name: A\n- name: B\n  language: en\n",
    )
    assert error_of(path) == f"{path}:3: missing 'url'"


def test_missing_name(tmp_path: Path) -> None:
    path = write(tmp_path, "- url: https://a.example/rss\n")
    assert error_of(path) == f"{path}:1: missing 'name'"


@pytest.mark.parametrize(
    "url", ["ftp://a.example/rss", "file:///etc/passwd", "a.example/rss", "https:// a b", "42"]
)
def test_non_http_url(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, f"- name: A\n  url: {url}\n")
    assert error_of(path).startswith(f"{path}:2: 'url' must be an http:// or https:// URL")


def test_duplicate_url_points_at_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "- url: https://a.example/rss\n  name: A\n"
        "- url: https://b.example/rss\n  name: B\n"
        "- url: HTTPS://A.example/rss\n  name: A again\n",
    )
    assert error_of(path) == (
        f"{path}:5: duplicate url HTTPS://A.example/rss (first listed at line 1)"
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("ten", "'interval' must be a whole number of seconds, got 'ten'"),
        ("2.5", "'interval' must be a whole number of seconds, got 2.5"),
        ("true", "'interval' must be a whole number of seconds, got True"),
        ("5", "'interval' must be between 10 and 604800 seconds, got 5"),
        ("99999999", "'interval' must be between 10 and 604800 seconds, got 99999999"),
    ],
)
def test_bad_interval(tmp_path: Path, value: str, reason: str) -> None:
    path = write(tmp_path, f"- url: https://a.example/rss\n  name: A\n  interval: {value}\n")
    assert error_of(path) == f"{path}:3: {reason}"


def test_bad_language_and_tags(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "- url: https://a.example/rss\n  name: A\n  language: russian\n  tags: {a: 1}\n",
    )
    assert error_of(path).splitlines() == [
        f"{path}:3: 'language' must be a 2-letter code like en or ru, got 'russian'",
        f"{path}:4: 'tags' must be a list of non-empty strings",
    ]


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "- url: https://a.example/rss\n  name: A\n  colour: red\n"
        "- just a string\n"
        "- url: gopher://b.example\n  name: B\n",
    )
    lines = error_of(path).splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [f"{path}:3", f"{path}:4", f"{path}:5"]


def test_top_level_must_be_a_list(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds:\n  - url: https://a.example/rss\n")
    assert error_of(path).startswith(f"{path}:1: the feeds file must be a list")


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "- url: https://a.example/rss\n  name: [unclosed\n- url: x\n")
    assert error_of(path).startswith(f"{path}:3: invalid YAML")
