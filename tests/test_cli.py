"""The `geoalert` command line, run as a real process against a real database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from benchmarks._common import newcomer_env

REPO = Path(__file__).resolve().parent.parent


def geoalert(
    *args: str, cwd: Path, database_url: str | None = None, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return python("-m", "bot.cli", *args, cwd=cwd, database_url=database_url, stdin=stdin, **env)


def python(
    *args: str, cwd: Path, database_url: str | None = None, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """This Python with `args`, in `cwd`, configured as a newcomer's `geoalert` would be."""
    environ = newcomer_env(cwd / "feeds.yaml")
    if database_url:
        environ["DATABASE_URL"] = database_url
    environ.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_scan_prints_the_seed_matches_once(tmp_path, database_url):
    first = geoalert("scan", "--no-feeds", cwd=tmp_path, database_url=database_url)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert len(lines) == 5
    assert any("Kazakhstan to Putin: Pound sand" in line for line in lines)
    assert all(line.rstrip().endswith("]") for line in lines)
    again = geoalert("scan", "--no-feeds", cwd=tmp_path, database_url=database_url)
    assert again.returncode == 0 and again.stdout == ""
    assert "0 new items" in again.stderr


def test_scan_defaults_to_a_sqlite_file_in_the_working_directory(tmp_path):
    result = geoalert("scan", "--no-feeds", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "geoalert.db").exists()
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"id", "published", "publisher", "title", "topics", "evidence"} <= set(records[0])
    al_jazeera = next(r for r in records if "cold-blooded" in r["title"])
    assert {"csto", "sanctions", "non_recognition"} <= set(al_jazeera["topics"])


def test_timeline_lists_the_seeds_in_order_of_publication(tmp_path):
    assert geoalert("scan", "--no-feeds", cwd=tmp_path).returncode == 0
    result = geoalert("timeline", "non_recognition", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    months = [line for line in result.stdout.splitlines() if line[:4] == "2022"]
    assert months == sorted(months)
    assert months[0] == "2022-02" and months[-1] == "2022-07"


def test_source_shows_provenance_and_evidence(tmp_path):
    scan = geoalert("scan", "--no-feeds", "--json", cwd=tmp_path)
    record = next(json.loads(x) for x in scan.stdout.splitlines() if "Pound sand" in x)
    result = geoalert("source", record["id"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "seed corpus file 000_9cae5fad716b7d4a.txt" in result.stdout
    assert "topic non_recognition:" in result.stdout
    missing = geoalert("source", "ffffffffffff", cwd=tmp_path)
    assert missing.returncode == 1 and "no item" in missing.stderr


def test_match_reads_json_lines_and_touches_no_database(tmp_path):
    lines = [
        {"id": "a", "title": "ОДКБ проведёт учения", "text": "Учения ОДКБ пройдут в Армении.",
         "lang": "ru"},
        {"id": "b", "title": "Cotton harvest", "text": "Uzbek farmers expect a good year."},
    ]  # fmt: skip
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n"
    result = geoalert("match", "--jsonl", cwd=tmp_path, stdin=stdin)
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert out[0]["id"] == "a" and out[0]["topics"] == ["csto"] and out[0]["evidence"]["csto"]
    assert out[1] == {"id": "b", "topics": [], "evidence": {}}
    assert result.returncode == 1 and "stdin:3:" in result.stderr
    assert not (tmp_path / "geoalert.db").exists()


def test_eval_takes_several_files_and_reports_per_language(tmp_path):
    english = {
        "id": "e",
        "lang": "en",
        "title": "CSTO summit",
        "text": "Leaders met.",
        "topics": ["csto"],
    }
    russian = {"id": "r", "lang": "ru", "title": "Саммит", "text": "Лидеры встретились.",
               "topics": ["csto"]}  # fmt: skip
    for name, row in (("en.jsonl", english), ("ru.jsonl", russian)):
        (tmp_path / name).write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")

    full = geoalert("eval", "en.jsonl", "ru.jsonl", cwd=tmp_path)
    summary = geoalert("eval", "--summary", "en.jsonl", "ru.jsonl", cwd=tmp_path)

    assert full.returncode == 0, full.stderr
    assert full.stdout.startswith("2 labelled items")
    assert "en: 1 items" in full.stdout and "ru: 1 items" in full.stdout
    assert "r [ru] expected: csto; predicted: —" in full.stdout
    assert "csto: block (line" in full.stdout and "(short by 1)" in full.stdout
    assert "1 misclassified items (not listed)." in summary.stdout
    assert "Лидеры" not in summary.stdout


def test_rules_check_and_test_pass_on_the_bundled_rules(tmp_path):
    check = geoalert("rules", "check", cwd=tmp_path)
    assert check.returncode == 0 and "3 topics OK" in check.stdout
    examples = geoalert("rules", "test", cwd=tmp_path)
    assert examples.returncode == 0, examples.stdout


def test_a_broken_rule_file_is_one_line_naming_file_and_line(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("id: bad\nname: Bad\ndescription: d\nmatch:\n  any: oops\n")
    result = geoalert("rules", "check", str(rules), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("geoalert: ") and "bad.yaml:5" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GEOALERT_POLL_INTERVAL", "soon"),
        ("DATABASE_URL", "mysql://x"),
        ("GEOALERT_ADMIN_IDS", "x"),
    ],
)
def test_an_invalid_setting_stops_start_up_with_one_clear_line(tmp_path, name, value):
    result = geoalert("scan", "--no-feeds", cwd=tmp_path, **{name: value})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and name in result.stderr


def test_scan_with_unreachable_feeds_logs_per_feed_errors_and_still_scans(tmp_path):
    (tmp_path / "feeds.yaml").write_text(
        "- url: http://127.0.0.1:9/feed.xml\n  name: Closed port\n"
        "- url: http://unresolvable.invalid/rss\n  name: No such host\n"
    )
    result = geoalert("scan", "--json", cwd=tmp_path, GEOALERT_FETCH_TIMEOUT="3")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 5
    assert "feed=Closed port" in result.stderr and "feed=No such host" in result.stderr
    status = geoalert("feeds", "status", cwd=tmp_path)
    assert status.stdout.count("ERROR") == 2


def test_db_backup_copies_the_live_sqlite_database(tmp_path):
    assert geoalert("scan", "--no-feeds", cwd=tmp_path).returncode == 0
    result = geoalert("db", "backup", "copy.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    timeline = geoalert(
        "timeline", "csto", cwd=tmp_path, database_url=f"sqlite:///{tmp_path / 'copy.db'}"
    )
    assert "2022-01" in timeline.stdout
    again = geoalert("db", "backup", "copy.db", cwd=tmp_path)
    assert again.returncode == 2 and "exists" in again.stderr


def test_feeds_export_then_import_round_trips_through_opml(tmp_path):
    (tmp_path / "feeds.yaml").write_text(
        "# my feeds\n- url: https://eurasianet.org/rss.xml\n  name: Eurasianet\n"
    )
    exported = geoalert("feeds", "export", "out.opml", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert b'xmlUrl="https://eurasianet.org/rss.xml"' in (tmp_path / "out.opml").read_bytes()
    (tmp_path / "in.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="OC Media" xmlUrl="https://oc-media.org/feed/"/>'
        '<outline text="Eurasianet" xmlUrl="https://eurasianet.org/rss.xml"/>'
        "</body></opml>"
    )
    imported = geoalert("feeds", "import", "in.opml", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "1 feeds added, 1 already listed" in imported.stdout
    text = (tmp_path / "feeds.yaml").read_text()
    assert text.startswith("# my feeds") and "oc-media.org" in text


def test_feeds_import_refuses_private_addresses(tmp_path):
    (tmp_path / "feeds.yaml").write_text("[]\n")
    (tmp_path / "in.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="Metadata" xmlUrl="http://169.254.169.254/latest/"/></body></opml>'
    )
    result = geoalert("feeds", "import", "in.opml", cwd=tmp_path)
    assert result.returncode == 2 and "169.254.169.254" in result.stderr
    assert (tmp_path / "feeds.yaml").read_text() == "[]\n"


def test_rules_explain_shows_why_clause_by_clause(tmp_path):
    result = geoalert(
        "rules", "explain", "Kazakhstan will not recognise the Luhansk and Donetsk republics",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "non_recognition" in result.stdout and "✓" in result.stdout and "✗" in result.stdout


def test_rules_apply_rematches_stored_items_after_a_rule_change(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    env = {"GEOALERT_RULES_DIR": str(rules)}
    assert geoalert("scan", "--no-feeds", cwd=tmp_path, **env).returncode == 0
    (rules / "kazakhstan.yaml").write_text(
        "id: kazakhstan\nname: Kazakhstan\ndescription: anything on Kazakhstan\n"
        "match:\n  any: [Kazakhstan]\n"
    )
    (rules / "csto.yaml").unlink()
    dry = geoalert("rules", "apply", "--dry-run", cwd=tmp_path, **env)
    assert dry.returncode == 0, dry.stderr
    assert "+kazakhstan" in dry.stdout and "-csto" in dry.stdout
    assert "would change: 5 new matches, 2 matches removed" in dry.stdout
    assert "2022-01" in geoalert("timeline", "csto", cwd=tmp_path).stdout  # nothing stored
    applied = geoalert("rules", "apply", cwd=tmp_path, **env)
    assert "changed: 5 new matches, 2 matches removed" in applied.stdout
    assert geoalert("rules", "apply", "--dry-run", cwd=tmp_path, **env).stdout.startswith(
        "would change: 0 new"
    )
    timeline = geoalert("timeline", "kazakhstan", cwd=tmp_path, **env)
    assert timeline.stdout.count("[") == 5
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'geoalert.db'}")
    with engine.connect() as conn:  # every matched item is in a story, the new ones too
        loose = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM matches m LEFT JOIN story_items s ON s.item_id = m.item_id"
                " WHERE s.item_id IS NULL"
            )
        ).scalar()
    engine.dispose()
    assert loose == 0
    assert "no matches yet" in geoalert("timeline", "csto", cwd=tmp_path).stdout


def test_search_and_trend_from_the_command_line(tmp_path):
    assert geoalert("scan", "--no-feeds", cwd=tmp_path).returncode == 0
    found = geoalert("search", "peacekeepers", cwd=tmp_path)
    assert found.returncode == 0 and "Don't look now" in found.stdout
    trend = geoalert("trend", "csto", "--weeks", "4", "--png", "t.png", cwd=tmp_path)
    assert trend.returncode == 0, trend.stderr
    assert (tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")
    assert trend.stdout.count("\n  20") >= 4


@pytest.mark.parametrize("topic", ["csto", "sanctions", "non_recognition"])
def test_timeline_formats_list_each_topic_in_order_of_publication(tmp_path, topic):
    assert geoalert("scan", "--no-feeds", cwd=tmp_path).returncode == 0
    data = json.loads(geoalert("timeline", topic, "--format", "json", cwd=tmp_path).stdout)
    dates = [e["date"] for e in data["entries"]]
    assert dates == sorted(dates) and len(dates) >= 2
    assert all(not e["estimated"] and e["sources"] for e in data["entries"])
    assert all(e["id"] in e["items"] for e in data["entries"])  # every report of the story
    assert all(isinstance(e["story"], int) for e in data["entries"])  # matched: in a story
    md = geoalert("timeline", topic, "--format", "md", "--since", "2022-03-01", cwd=tmp_path)
    assert md.stdout.startswith(f"# Timeline: {topic}") and "## 2022-01" not in md.stdout


def test_large_allocations_get_their_own_mapping_in_this_and_child_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.memory import LARGE_ALLOCATION, map_large_allocations

    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "")  # restored (or removed) afterwards
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_")
    map_large_allocations()
    assert os.environ["MALLOC_MMAP_THRESHOLD_"] == str(LARGE_ALLOCATION)


def test_a_scan_leaves_one_database_file_and_its_heap_to_the_system(tmp_path: Path) -> None:
    """The scan closes the database before exiting (SQLite folds its write-ahead log into the
    file: a copy of geoalert.db alone holds everything), and the command skips the final
    garbage collection over its live objects (`exit_without_collecting`: 0.3 s of the exit
    after a large poll): an exit hook registered before the command sees them frozen."""
    assert geoalert("scan", "--no-feeds", cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("geoalert.db")) == [
        "geoalert.db"
    ]
    assert _frozen_at_exit("from bot.cli import main; main(['scan', '--no-feeds'])", tmp_path)


def test_a_parsing_process_leaves_its_heap_to_the_system_at_exit(tmp_path: Path) -> None:
    assert _frozen_at_exit("from bot.sources import worker; worker.prepare(None)", tmp_path)


def _frozen_at_exit(code: str, cwd: Path) -> bool:
    """Whether the objects alive when `code`'s process exits are frozen (thousands of them)
    by the time an exit hook registered before `code` runs (hooks run last-in first-out)."""
    hook = "import atexit, gc; atexit.register(lambda: print('frozen', gc.get_freeze_count()))"
    done = python("-c", f"{hook}\n{code}\n", cwd=cwd)
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split("frozen ")[-1]) > 10_000
