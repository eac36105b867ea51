"""The event lexicon, compiled ahead of time (bot/data/event_lexicon.compiled.json).

Compiling bot/data/event_lexicon.yaml stems every form of every entry with Snowball: about a
third of a second of CPU, paid by the main process and again by every parsing process at each
start, on the path of the first poll. The compiled form is shipped beside the YAML and
rebuilt by `python -m bot.event_terms`. It is used only when its stamp (the YAML's
SHA-256, the Snowball version and this format's version) matches the running install;
otherwise `bot.event_terms.lexicon()` compiles the YAML as before, so an edited lexicon is
never read stale. A test checks that the shipped file is the one the YAML compiles to today.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata, resources
from typing import Any

FORMAT = 5  # 2: negations, refusals and bodies; 3: members; 4: particled; 5: heads
SOURCE = "data/event_lexicon.yaml"
COMPILED = "data/event_lexicon.compiled.json"


def stamp(source: bytes) -> str:
    """What the compiled form depends on: the YAML, the stemmer and this format."""
    digest = hashlib.sha256(source).hexdigest()
    return f"{FORMAT}:{_snowball_version()}:{digest}"


def _snowball_version() -> str:
    try:
        return metadata.version("snowballstemmer")
    except metadata.PackageNotFoundError:
        return "unknown"


def dumps(lex: Any, source: bytes) -> str:
    """The compiled file's text, one entry per line (a rebuild's diff is readable)."""

    def enc(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    def mapping(items: Any) -> str:
        return "{\n" + ",\n".join(f"{enc(str(k))}: {enc(v)}" for k, v in items) + "\n}"

    def array(values: Any) -> str:
        return "[\n" + ",\n".join(enc(v) for v in values) + "\n]"

    parts = {
        "stamp": enc(stamp(source)),
        "singles": mapping(lex.singles.items()),
        "particled": mapping(lex.particled.items()),
        "phrases": array([list(k), v] for k, v in lex.phrases.items()),
        "opposites": array(sorted(lex.opposites)),
        "capitals": mapping(lex.capitals.items()),
        "countries": array(sorted(lex.countries)),
        "polities": array(sorted(lex.polities.items())),
        "negations": mapping(sorted(lex.negations.items())),
        "refusals": array(sorted(lex.refusals)),
        "bodies": array(sorted(lex.bodies.items())),
        "heads": array(sorted(lex.heads)),
        "members": array(sorted(lex.members)),
    }
    return "{\n" + ",\n".join(f"{enc(k)}: {v}" for k, v in parts.items()) + "\n}\n"


def loads(text: str, source: bytes) -> dict[str, Any] | None:
    """The `Lexicon` fields in `text`, or None when it was compiled from another YAML or
    stemmer."""
    data = json.loads(text)
    if data.get("stamp") != stamp(source):
        return None
    phrases = {tuple(k): (int(v[0]), str(v[1])) for k, v in data["phrases"]}
    return {
        "singles": {k: (int(v[0]), str(v[1])) for k, v in data["singles"].items()},
        "particled": {k: (str(v[0]), int(v[1]), str(v[2])) for k, v in data["particled"].items()},
        "phrases": phrases,
        "starts": frozenset([*(p[0] for p in phrases), *data["particled"]]),
        "prefixes": frozenset(p[:n] for p in phrases for n in range(2, len(p))),
        "longest": max((len(p) for p in phrases), default=1),
        "opposites": frozenset((int(a), int(b)) for a, b in data["opposites"]),
        "capitals": {str(k): str(v) for k, v in data["capitals"].items()},
        "countries": frozenset(int(c) for c in data["countries"]),
        "polities": {int(k): int(v) for k, v in data["polities"]},
        "negations": {str(k): str(v) for k, v in data["negations"].items()},
        "refusals": frozenset(str(r) for r in data["refusals"]),
        "bodies": {int(k): int(v) for k, v in data["bodies"]},
        "heads": frozenset(int(h) for h in data["heads"]),
        "members": frozenset((int(a), int(b)) for a, b in data["members"]),
    }


def bundled(source: bytes) -> dict[str, Any] | None:
    """The shipped compiled lexicon's fields when it was compiled from `source`; else None."""
    try:
        text = resources.files("bot").joinpath(COMPILED).read_text(encoding="utf-8")
        return loads(text, source)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(lex: Any, source: bytes) -> str:
    """Write the compiled file of `lex` (compiled from `source`) into the package."""
    with resources.as_file(resources.files("bot").joinpath(COMPILED)) as path:
        path.write_text(dumps(lex, source), encoding="utf-8")
        return str(path)
