"""Commands that need no database: scan (its own pipeline), run, match, rules, eval."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.config import Settings
from bot.errors import GeoalertError
from bot.matching import load_rules
from bot.render import match_json, match_line


def cmd_scan(args: argparse.Namespace, settings: Settings) -> int:
    """One pass over the corpus and feeds; print each new match."""
    from bot.sources.parse_pool import ParsePool

    # The parsing processes start first: they import the parser and load the lexicon while
    # this process imports the rest, loads the rules and opens the database (about a second).
    # The rules reach them with the first feed each parses.
    parsers = ParsePool(lambda: None)
    if not args.no_feeds:
        parsers.start_soon(settings.parse_workers)

    from bot.sources.fetch import make_http_client
    from bot.wiring import build_pipeline, initial_rules, open_store

    rules = initial_rules(settings)
    engine = open_store(settings)

    async def scan() -> int:
        http = None
        if not args.no_feeds:
            http = make_http_client(settings.fetch_timeout, settings.max_redirects)
        pipeline = build_pipeline(settings, engine, lambda: rules, http, parsers=parsers)
        try:
            report = await pipeline.update(feeds=not args.no_feeds)
        finally:
            pipeline.close()
            if http is not None:
                await http.aclose()
        for m in report.new_matches:
            print(match_json(m) if args.json else match_line(m))
        summary = (
            f"scan: {report.new_items} new items, {len(report.new_matches)} new matches, "
            f"{report.feeds_polled} feeds polled, {len(report.errors)} source errors"
        )
        print(summary, file=sys.stderr)
        return 0

    try:
        return asyncio.run(scan())
    finally:
        engine.dispose()  # closes SQLite's last connection: it folds the WAL into the file


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Poll on the interval; deliver to Telegram when a token is set, else print."""
    from bot.runner import run

    return run(settings)


def cmd_match(args: argparse.Namespace, settings: Settings) -> int:
    """Match JSON lines from stdin against the rules; no database involved."""
    rules = load_rules(Path(args.rules) if args.rules else settings.rules_dir)
    status = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("expected a JSON object")
            title, text = str(obj.get("title", "")), str(obj.get("text", ""))
        except ValueError as exc:
            print(f"stdin:{number}: {exc}", file=sys.stderr)
            status = 1
            continue
        found = rules.match(title, text, obj.get("lang"))
        out = {
            "id": obj.get("id"),
            "topics": [m.topic for m in found],
            "evidence": {m.topic: list(m.evidence.terms) for m in found},
        }
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return status


def cmd_rules_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate rule files."""
    directory = Path(args.dir) if args.dir else settings.rules_dir
    rules = load_rules(directory)
    print(f"{directory}: {len(rules.topics)} topics OK ({', '.join(t.id for t in rules.topics)})")
    return 0


def cmd_rules_test(args: argparse.Namespace, settings: Settings) -> int:
    """Run every rule's examples."""
    directory = Path(args.dir) if args.dir else settings.rules_dir
    failures = load_rules(directory).run_examples()
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{directory}: {len(failures)} failing examples")
    return 1 if failures else 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Precision, recall and F1 per topic on a labelled set, with the misclassified items."""
    from bot.evaluation import evaluate, load_labeled_files, render_report

    if args.stories:
        return _eval_stories(args)
    rules = load_rules(Path(args.rules) if args.rules else settings.rules_dir)
    report = evaluate(rules, load_labeled_files([Path(p) for p in args.labels]))
    print(render_report(report, items=not args.summary))
    return 0


def _eval_stories(args: argparse.Namespace) -> int:
    """Pairwise precision/recall of story grouping on a labelled story set."""
    from bot.story_evaluation import evaluate_stories, load_story_set, render_story_report

    if args.orders < 1:
        raise GeoalertError("--orders must be at least 1")
    reports = load_story_set([Path(p) for p in args.labels])
    report = evaluate_stories(reports, orders=args.orders, undated=args.undated)
    print(render_story_report(report, reports, pairs=not args.summary))
    return 0


def cmd_rules_explain(args: argparse.Namespace, settings: Settings) -> int:
    """Show, clause by clause, why a text matches each topic or not."""
    from bot.matching import explain_text

    rules = load_rules(Path(args.rules) if args.rules else settings.rules_dir)
    if args.verdicts:
        from bot.cli.feedback_cmds import print_dismissed

        print_dismissed(rules, args.verdicts)
        return 0
    if args.text is None:
        raise GeoalertError("rules explain needs a text (or - for stdin), or --verdicts FILE")
    text = sys.stdin.read() if args.text == "-" else args.text
    print(explain_text(rules, text, title=args.title or "", language=args.lang))
    return 0
