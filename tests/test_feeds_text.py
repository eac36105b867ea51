"""HTML → text helpers and link canonicalisation: pure functions, no I/O."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sources.links import canonical_link, is_http_url
from bot.text import collapse_ws, html_to_text, truncate_words


def test_html_to_text_drops_scripts_and_styles_and_decodes_entities() -> None:
    html = (
        "<style>p{color:red}</style><p>Sanctions &amp; export&nbsp;controls</p>"
        "<script>alert('x')</script><p>&laquo;ОДКБ&raquo; &#8212; &quot;CSTO&quot;</p>"
    )
    assert html_to_text(html) == 'Sanctions & export controls\n«ОДКБ» — "CSTO"'


def test_html_to_text_turns_block_tags_into_line_breaks() -> None:
    html = "<div>One<br>two<br/>three</div><ul><li>a</li><li>b</li></ul><h2>Head</h2>tail"
    assert html_to_text(html).split("\n") == ["One", "two", "three", "a", "b", "Head", "tail"]


def test_html_to_text_collapses_whitespace_inside_lines() -> None:
    assert html_to_text("  <b>Kazakh</b>\t\t<i>banks</i>  \n\n  comply ") == "Kazakh banks comply"


def test_html_to_text_keeps_plain_text_with_angle_brackets() -> None:
    assert html_to_text("inflation < 5% and rates > 10%") == "inflation < 5% and rates > 10%"


def test_html_to_text_survives_broken_markup() -> None:
    assert html_to_text("<p>unclosed <b>bold <a href='x'>link") == "unclosed bold link"
    assert html_to_text("") == ""


def test_collapse_ws_joins_lines_and_removes_invisible_characters() -> None:
    assert collapse_ws(" a\n\tb\u00a0c\u200bd ") == "a b cd"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("The CSTO summit in Astana ended without agreement", 20, "The CSTO summit in…"),
        ("Supercalifragilistic", 10, "Supercali…"),
        ("a, b, c, d, e", 6, "a, b…"),
        ("anything", 0, ""),
    ],
)
def test_truncate_words_cuts_on_a_word_boundary(text: str, limit: int, expected: str) -> None:
    result = truncate_words(text, limit)
    assert result == expected
    assert len(result) <= max(limit, 0)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://News.Example.COM/a/B?utm_source=rss&id=7&utm_medium=x#frag",
            "https://news.example.com/a/B?id=7",
        ),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/p?fbclid=abc", "https://example.com/p"),
        ("https://example.com/p?a=1&b=%20x", "https://example.com/p?a=1&b=%20x"),
        ("ftp://example.com/file", None),
        ("/relative/path", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_canonical_link(url: str, expected: str | None) -> None:
    assert canonical_link(url) == expected


def test_is_http_url_rejects_whitespace_and_missing_host() -> None:
    assert is_http_url("https://tass.com/rss/v2.xml")
    assert not is_http_url("https://tass.com/rss v2.xml")
    assert not is_http_url("https:///path")
    assert not is_http_url("file:///etc/passwd")


def test_is_http_url_rejects_every_unicode_whitespace_character() -> None:
    spaces = [chr(i) for i in range(0x110000) if chr(i).isspace()]
    assert len(spaces) > 20  # NBSP, em space, line separator… not only ASCII
    for space in spaces:
        assert not is_http_url(f"https://x.example/a{space}b"), repr(space)
    assert is_http_url("https://x.example/a\u200bb")  # zero-width space is not whitespace


@given(st.text(alphabet=st.characters(blacklist_characters="<&")))
def test_text_without_markup_reads_as_if_it_went_through_the_html_parser(text):
    """Plain text skips the HTML parser; wrapped in an inline tag it takes the parser's path."""
    assert html_to_text(text) == html_to_text(f"<span>{text}</span>")


_TAGS = st.sampled_from(
    ["p", "P", "a", "br", "div", "span", "strong", "em", "li", "ul", "img", "hr", "td", "h2"]
)
_ATTRS = st.sampled_from(
    ["", ' href="https://x.example/a?b=1&amp;c=2"', " class=lead", " src='i.png' alt=\"\"", " /"]
)
_TEXT = st.lists(
    st.sampled_from([*"ab Zя\n\r\t\u00a0.,;", "&amp;", "&nbsp;", "&#8217;", "&lt;", "&", ">"]),
    max_size=12,
).map("".join)


@st.composite
def _fragments(draw):
    pieces = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.integers(0, 2))
        name, attrs = draw(_TAGS), draw(_ATTRS)
        if kind == 0:
            pieces.append(f"<{name}{attrs}>")
        elif kind == 1:
            pieces.append(f"</{name}>")
        pieces.append("".join(draw(st.lists(_TEXT, max_size=3))))
    return "".join(pieces)


@given(_fragments())
def test_everyday_markup_reads_as_the_html_parser_reads_it(fragment):
    """Simple markup takes a fast path; a leading empty comment forces the HTML parser's."""
    assert html_to_text(fragment) == html_to_text(f"<!---->{fragment}")


_INVISIBLE_REF = "[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


@given(st.text())
def test_whitespace_collapses_as_the_unicode_whitespace_regex_would(text):
    """Whitespace is collapsed with str.split(); it must agree with the regexes it replaced
    (`\\s+` → " ", and `[^\\S\\n]+` inside lines) on any text: NBSP, em space, U+2028…"""
    import re

    visible = re.sub(_INVISIBLE_REF, "", text)
    assert collapse_ws(text) == re.sub(r"\s+", " ", visible).strip()
    plain = text.replace("<", " ").replace("&", " ")  # no markup: html_to_text's fast path
    one_line = re.sub(_INVISIBLE_REF, "", plain.replace("\r", " ").replace("\n", " "))
    assert html_to_text(plain) == re.sub(r"[^\S\n]+", " ", one_line).strip()
