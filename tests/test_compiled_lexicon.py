"""The lexicon shipped compiled (bot/compiled_lexicon.py) is the one the YAML compiles to."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata, resources

from bot import compiled_lexicon
from bot.event_terms import Lexicon, compile_yaml, lexicon

SOURCE = resources.files("bot").joinpath(compiled_lexicon.SOURCE).read_bytes()


def test_the_shipped_compiled_lexicon_is_what_the_yaml_compiles_to_today() -> None:
    """Fails after an edit of bot/data/event_lexicon.yaml until the file is rebuilt
    (`python -m bot.event_terms`). Under another Snowball release than the one it was built
    with (requirements.lock pins it for the image) the file must be ignored instead."""
    shipped = json.loads(resources.files("bot").joinpath(compiled_lexicon.COMPILED).read_text())
    _, built_with, digest = shipped["stamp"].split(":")
    assert digest == hashlib.sha256(SOURCE).hexdigest(), "stale: run python -m bot.event_terms"
    parts = compiled_lexicon.bundled(SOURCE)
    if built_with == metadata.version("snowballstemmer"):
        assert parts is not None
        assert Lexicon(**parts) == compile_yaml(SOURCE)
    else:
        assert parts is None
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
    assert compiled.negations and compiled.refusals and compiled.bodies and compiled.members
