"""Matching: seed expectations, word boundaries, morphology, evidence, the rule language."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.errors import RuleError
from bot.matching import RuleSet, load_rules

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(REPO / "rules")


def seed(prefix: str) -> tuple[str, str]:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    title, _, body = path.read_text(encoding="utf-8").partition("\n")
    return title, body


def topics_of(rules: RuleSet, title: str, text: str, language: str | None = None) -> set[str]:
    return {m.topic for m in rules.match(title, text, language)}


def make_rules(tmp_path: Path, match: str, extra: str = "") -> RuleSet:
    body = textwrap.indent(textwrap.dedent(match).strip(), "  ")
    text = f"id: t\nname: T\ndescription: d\n{textwrap.dedent(extra)}match:\n{body}\n"
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    return load_rules(tmp_path)


def fires(rules: RuleSet, text: str, title: str = "", language: str | None = None) -> bool:
    return bool(rules.match(title, text, language))


SEED_EXPECTATIONS = [
    ("002", "csto", True),
    ("004", "csto", True),
    ("003", "csto", False),
    ("001", "sanctions", True),
    ("003", "sanctions", True),
    ("004", "sanctions", True),
    ("000", "sanctions", False),
    ("000", "non_recognition", True),
    ("001", "non_recognition", True),
    ("003", "non_recognition", True),
    ("004", "non_recognition", True),
]


@pytest.mark.parametrize(
    ("prefix", "topic", "expected"),
    SEED_EXPECTATIONS,
    ids=[f"{p}-{t}-{'yes' if e else 'no'}" for p, t, e in SEED_EXPECTATIONS],
)
def test_seed_expectations(rules: RuleSet, prefix: str, topic: str, expected: bool) -> None:
    assert (topic in topics_of(rules, *seed(prefix))) is expected


def test_topics_are_ordered_by_id(rules: RuleSet) -> None:
    assert [t.id for t in rules.topics] == sorted(t.id for t in rules.topics)


def test_matches_are_ordered_by_topic_id(rules: RuleSet) -> None:
    ids = [m.topic for m in rules.match(*seed("004"))]
    assert ids == sorted(ids) and len(ids) == 3


# --- words, case and morphology ---------------------------------------------------------------


def test_terms_match_whole_words_only(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any: [sanctions]")
    assert fires(demo, "New sanctions today.")
    assert not fires(demo, "The sanctionsxyz module.")
    assert not fires(demo, "xyzsanctions")


def test_possessive_and_punctuation_do_not_hide_a_term(rules: RuleSet) -> None:
    assert "csto" in topics_of(rules, "", "Pashinyan skipped the CSTO's summit.")
    assert "csto" in topics_of(rules, "", "Pashinyan skipped the CSTO’s summit.")
    assert "csto" in topics_of(rules, "", "(CSTO)")
    assert "csto" not in topics_of(rules, "", "The CSTOX-200 sensor.")


def test_matching_is_case_insensitive(rules: RuleSet) -> None:
    assert "csto" in topics_of(rules, "", "the csto met")
    assert "csto" in topics_of(rules, "", "ЗАСЕДАНИЕ ОДКБ")
    assert "sanctions" in topics_of(rules, "", "NEW SANCTIONS ON RUSSIA")


@pytest.mark.parametrize(
    "text",
    [
        "Новые санкции против России",
        "Обход санкций против России через третьи страны",
        "Казахстан не будет помогать России с обходом санкций",
        "Кремль ответит на санкциями по российским банкам",
        "Санкционный список в отношении Беларуси расширен",
    ],
)
def test_russian_inflections_match_sanctions(rules: RuleSet, text: str) -> None:
    assert "sanctions" in topics_of(rules, "", text)


@pytest.mark.parametrize(
    "text",
    [
        "Казахстан не признаёт ЛНР и ДНР",
        "Казахстан не признает ЛНР и ДНР",
        "Признание независимости Абхазии и Южной Осетии",
        "Молдова отказалась признавать приднестровский режим",
    ],
)
def test_russian_inflections_and_yo_match_non_recognition(rules: RuleSet, text: str) -> None:
    assert "non_recognition" in topics_of(rules, "", text)


def test_wildcard_matches_word_endings_only_at_the_end(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any: [санкци*]")
    assert fires(demo, "санкциями")
    assert fires(demo, "Санкция")
    assert not fires(demo, "антисанкции")


def test_phrases_allow_hyphens_and_quotes_between_words(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any: [independent states, Moscow-backed]")
    assert fires(demo, "the “independent” states")
    assert fires(demo, "Moscow backed rebels")
    assert not fires(demo, "independent, states")


# --- false friends of the bundled rules -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The Czech Republic and other independent states condemned the invasion.",
        "Police introduced facial recognition cameras in Crimea.",
        "He was given an award in recognition of his work.",
    ],
)
def test_non_recognition_false_friends(rules: RuleSet, text: str) -> None:
    assert "non_recognition" not in topics_of(rules, "", text)


def test_sanctions_needs_more_than_the_word(rules: RuleSet) -> None:
    assert "sanctions" not in topics_of(rules, "", "The US imposes new sanctions on Iran.")
    assert "sanctions" in topics_of(rules, "", "The US imposes new sanctions on Russia.")


# --- evidence ---------------------------------------------------------------------------------


def test_evidence_terms_are_distinct_and_in_order_of_first_hit(rules: RuleSet) -> None:
    (match,) = [m for m in rules.match("", "Russia evades sanctions; Russia evades sanctions.")]
    assert match.topic == "sanctions"
    assert match.evidence.terms == ("Russia", "evades", "sanctions")
    assert match.evidence.score >= match.evidence.threshold == 3
    assert any("Russia/Belarus" in clause for clause in match.evidence.clauses)


def test_evidence_title_hits_come_first(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any: [alpha, beta]")
    (match,) = demo.match("Beta news", "alpha text")
    assert match.evidence.terms == ("Beta", "alpha")


def test_snippet_is_around_first_body_hit_collapsed_and_cut_on_words(rules: RuleSet) -> None:
    filler = "word " * 80
    text = f"{filler}\n\n  The   CSTO\tsent peacekeepers to Almaty. {filler}"
    (match,) = rules.match("", text)
    snippet = match.evidence.snippet
    assert "The CSTO sent peacekeepers to Almaty." in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert 150 <= len(snippet) <= 210
    assert "  " not in snippet and "\n" not in snippet
    assert snippet[1:-1].split(" ")[0] == "word" and snippet[1:-1].split(" ")[-1] == "word"


def test_short_text_snippet_is_the_whole_text(rules: RuleSet) -> None:
    (match,) = rules.match("", "Armenia  froze its\nCSTO membership.")
    assert match.evidence.snippet == "Armenia froze its CSTO membership."


def test_snippet_falls_back_to_title(rules: RuleSet) -> None:
    (match,) = rules.match("CSTO summit in Minsk", "Leaders met on Thursday.")
    assert match.evidence.snippet == "CSTO summit in Minsk"


def test_evidence_of_the_seed(rules: RuleSet) -> None:
    (match,) = [m for m in rules.match(*seed("003")) if m.topic == "non_recognition"]
    assert match.evidence.terms[:2] == ("won’t recognize", "Moscow-promoted statelets")
    assert "won’t recognize Moscow-promoted statelets" in match.evidence.snippet


# --- the rule language ------------------------------------------------------------------------


def test_weights_are_summed_against_the_threshold(tmp_path: Path) -> None:
    demo = make_rules(
        tmp_path,
        """
        threshold: 3
        any:
          - {term: alpha, weight: 2}
          - beta
          - gamma
        """,
    )
    assert not fires(demo, "alpha alpha alpha")  # distinct terms count once
    assert fires(demo, "alpha beta")
    assert not fires(demo, "beta gamma")
    (match,) = demo.match("", "alpha beta gamma")
    assert (match.evidence.score, match.evidence.threshold) == (4, 3)


def test_near_counts_words_between_within_one_sentence(tmp_path: Path) -> None:
    demo = make_rules(
        tmp_path,
        """
        any:
          - near: [recogni*, [LPR, DPR]]
            within: 2
        """,
    )
    assert fires(demo, "will not recognize the LPR")
    assert fires(demo, "the LPR, which they recognize")
    assert not fires(demo, "recognize one two three LPR")
    assert not fires(demo, "They recognize it. LPR is different.")
    assert not fires(demo, "recognize", title="LPR")


def test_near_ordered_and_across_sentences(tmp_path: Path) -> None:
    demo = make_rules(
        tmp_path,
        """
        any:
          - near: [evade, sanctions]
            within: 4
            ordered: true
            across_sentences: true
        """,
    )
    assert fires(demo, "They evade. The sanctions")
    assert not fires(demo, "sanctions they evade")


def test_adjacency_with_plus(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any: [price+cap]")
    assert fires(demo, "the price cap on oil")
    assert not fires(demo, "the price of a cap")


def test_all_is_an_and_of_or_groups_and_none_vetoes(tmp_path: Path) -> None:
    demo = make_rules(
        tmp_path,
        """
        all:
          - [sanctions, embargo]
          - [Russia, Belarus]
        none: [football]
        """,
    )
    assert fires(demo, "An embargo on Belarus")
    assert not fires(demo, "An embargo on Iran")
    assert not fires(demo, "Football sanctions on Russia")


def test_unless_near_excludes_a_hit_close_to_a_false_friend(tmp_path: Path) -> None:
    demo = make_rules(
        tmp_path,
        """
        any:
          - term: sanction*
            unless:
              - {near: [sanction*, "@sport"], within: 4}
        """,
        extra="groups:\n  sport: [doping, athlete*, medal*]\n",
    )
    assert not fires(demo, "The sanction strips the athlete of a medal.")
    assert not fires(demo, "Doping sanctions were lifted.")
    assert fires(demo, "Sanctions were adopted by the council on Monday; athletes were spared.")
    assert fires(demo, "Sanctions were adopted. Athletes cheered.")  # another sentence
    assert fires(demo, "Doping tests were held in Lausanne last week; sanctions are unrelated.")


def test_unless_near_accepts_only_near_options(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"t\.yaml:\d+: unknown key 'weight' in an 'unless' near"):
        make_rules(tmp_path, "any:\n  - {term: a, unless: [{near: [a, b], weight: 2}]}")


def test_unless_excludes_only_the_overlapping_hit(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any:\n  - {term: recogni*, unless: [facial recognition]}")
    assert not fires(demo, "facial recognition")
    assert fires(demo, "facial recognition; they will not recognise it")


def test_alternative_blocks(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "- label: a\n  any: [alpha]\n- label: b\n  all: [beta, gamma]")
    assert fires(demo, "alpha")
    assert fires(demo, "gamma and beta")
    assert not fires(demo, "beta")
    (match,) = demo.match("", "gamma and beta")
    assert match.evidence.clauses[0].startswith("[b] all:")


def test_group_in_any_counts_once(tmp_path: Path) -> None:
    demo = make_rules(
        tmp_path,
        "threshold: 2\nany: ['@ru', {term: '@ru', weight: 0.5}, other]",
        extra="groups:\n  ru: [Russia, Moscow, Kremlin]\n",
    )
    assert not fires(demo, "Russia Moscow Kremlin")  # 1 + 0.5
    assert fires(demo, "Moscow and other")


def test_lang_restricts_a_term_when_the_language_is_known(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any:\n  - {term: gift, lang: en}")
    assert fires(demo, "a gift", language="en-GB")
    assert fires(demo, "a gift")
    assert not fires(demo, "das Gift", language="de")


# --- explain and examples ---------------------------------------------------------------------


def test_explain_says_clause_by_clause_why(rules: RuleSet) -> None:
    explanations = {e.topic: e for e in rules.explain("", "The US imposes sanctions on exporters.")}
    assert set(explanations) == {"csto", "non_recognition", "sanctions"}
    sanctions = explanations["sanctions"]
    assert not sanctions.matched
    (block,) = sanctions.blocks
    assert block.verdict == (
        "not fired: 'any' score 2 < threshold 3 (short by 1); 1 of 1 'all' entries did not match"
    )
    assert any(line.strip().startswith("✓ @sanction +1") for line in block.lines)
    assert any(line.strip().startswith("✗ sanction ~12 Russia/Belarus") for line in block.lines)
    assert "sanctions (rules/sanctions.yaml): no match" in sanctions.render().replace(
        str(REPO) + "/", ""
    )


def test_run_examples_reports_file_line_topic_and_example(tmp_path: Path) -> None:
    demo = make_rules(
        tmp_path,
        "any: [alpha]",
        extra="examples:\n  match: [alpha, beta]\n  no_match: [gamma, alpha]\n",
    )
    failures = demo.run_examples()
    path = tmp_path / "t.yaml"
    assert len(failures) == 2
    assert failures[0].startswith(f"{path}:5: t:match:1 did not match")
    assert failures[1].startswith(f"{path}:6: t:no_match:1 matched but should not")


def test_bundled_examples_all_pass(rules: RuleSet) -> None:
    assert rules.run_examples() == []
