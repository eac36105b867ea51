"""Retention pruning with the search index kept in sync, against the schema before 0006.

    python benchmarks/bench_prune.py            # 20,000 indexed items, 1,000 pruned
    python benchmarks/bench_prune.py --smoke    # 2,000 items, 100 pruned (CI)

The same generated items (~1 KB, as bench_pipeline's) are stored and indexed for search in two
SQLite files: one at the current schema, one at migration 0005, whose delete trigger found an
item's full-text row by its UNINDEXED id (a scan of the index per deleted item). Then
`storage.retention.prune_items` removes the oldest items from both, in the same run; a third
file without any full-text index gives the floor (the deletes alone).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from benchmarks._common import Span, emit, machine, make_items

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def store(url: str, revision: str, count: int, old: int, *, index: bool) -> object:
    """A database at `revision` holding `count` items, the first `old` fetched a year ago."""
    import sqlalchemy as sa

    from bot.models import Item
    from bot.text import html_to_text
    from storage import make_engine, upgrade
    from storage.engine import session_scope
    from storage.items import add_new_items
    from storage.search import index_pending

    engine = make_engine(url)
    upgrade(engine, revision)
    rng = random.Random(3)  # the same items in every database
    generated = [
        (lang, g)
        for lang in ("en", "ru")
        for g in make_items(rng, lang, f"prune-{lang}", count // 2)
    ]
    items = [
        Item(
            id=f"{n:016x}", source="https://bench.example/feed.xml", source_name="bench",
            key=g.guid, title=g.title, text=html_to_text(g.html), link=g.link,
            publisher="bench", language=lang, published=NOW, published_origin="feed",
            fetched=NOW - timedelta(days=400) if n < old else NOW,
        )
        for n, (lang, g) in enumerate(generated)
    ]  # fmt: skip
    if not index:
        with engine.begin() as c:
            for trigger in ("items_fts_insert", "items_search_queue", "items_fts_delete"):
                c.execute(sa.text(f"DROP TRIGGER IF EXISTS {trigger}"))
    with session_scope(engine) as s:
        add_new_items(s, items)
    while revision == "head":  # the indexing step after a poll (0005 indexed on insert)
        with session_scope(engine) as s:
            if not index_pending(s):
                break
    return engine


def prune(engine: object) -> tuple[Span, int]:
    from storage.engine import session_scope
    from storage.retention import prune_items

    with Span() as span, session_scope(engine) as s:  # type: ignore[arg-type]
        removed = prune_items(s, older_than=NOW - timedelta(days=365))
    return span, removed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="2,000 items, 100 pruned (CI)")
    args = parser.parse_args()
    count, old = (2_000, 100) if args.smoke else (20_000, 1_000)
    print(f"machine: {machine()}")
    print(f"{count} items of ~1 KB stored and indexed for search; {old} of them pruned")
    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for name, revision, index in (
            ("current schema (head)", "head", True),
            ("before 0006 (scan per deleted item)", "0005", True),
            ("no full-text index (floor)", "head", False),
        ):
            engine = store(f"sqlite:///{tmp}/{revision}-{index}.db", revision, count, old,
                           index=index)  # fmt: skip
            try:
                runs[name] = prune(engine)
            finally:
                engine.dispose()  # type: ignore[attr-defined]
    print(f"\n{'prune':<38} {'items':>6} {'seconds':>8} {'ms/item':>8}")
    for name, (span, removed) in runs.items():
        print(f"{name:<38} {removed:>6} {span.wall:>8.3f} {1000 * span.wall / removed:>8.2f}")
    head, before, floor = (runs[n][0].wall for n in runs)
    print(f"\ncurrent vs before 0006: {before / head:.0f}× faster; "
          f"search index upkeep: {head / floor:.2f}× the bare deletes")  # fmt: skip
    emit("prune: old items, search index in sync", f"{1000 * head / old:.2f} ms/item "
         f"({old} of {count} indexed)", f"before 0006: {1000 * before / old:.2f} ms/item",
         f"{before / head:.0f}× faster", "—", None)  # fmt: skip


if __name__ == "__main__":
    main()
