"""The lexicon shipped compiled (bot/compiled_lexicon.py) is the one the YAML compiles to."""

from __future__ import annotations

from importlib import resources

from bot import compiled_lexicon
from bot.event_terms import Lexicon, compile_yaml, lexicon

SOURCE = resources.files("bot").joinpath(compiled_lexicon.SOURCE).read_bytes()


def test_the_shipped_compiled_lexicon_is_what_the_yaml_compiles_to_today() -> None:
    """Fails after an edit of bot/data/event_lexicon.yaml or a stemmer upgrade until the file
    is rebuilt (`python -m bot.event_terms`)."""
    parts = compiled_lexicon.bundled(SOURCE)
    assert parts is not None, "stale: run python -m bot.event_terms"
    assert Lexicon(**parts) == compile_yaml(SOURCE)
    assert lexicon() == compile_yaml(SOURCE)


def test_a_compiled_file_from_another_yaml_is_not_used() -> None:
    compiled = compile_yaml(SOURCE)
    text = compiled_lexicon.dumps(compiled, SOURCE)
    assert compiled_lexicon.loads(text, SOURCE) is not None
    edited = SOURCE.replace(b"entities:", "entities:\n  fico: [Fico, Фицо]".encode(), 1)
    assert compiled_lexicon.loads(text, edited) is None
    assert compiled_lexicon.bundled(edited) is None


def test_the_round_trip_keeps_every_field() -> None:
    compiled = compile_yaml(SOURCE)
    parts = compiled_lexicon.loads(compiled_lexicon.dumps(compiled, SOURCE), SOURCE)
    assert parts is not None
    assert Lexicon(**parts) == compiled
    assert compiled.phrases and compiled.opposites and compiled.polities and compiled.capitals
    assert compiled.negations and compiled.refusals and compiled.bodies
