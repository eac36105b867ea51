"""Live rules: changed files are picked up, broken ones keep the last good rules."""

from __future__ import annotations

import os
import shutil

from bot.rules_holder import RulesHolder


def bump(path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_changed_rules_take_effect_and_broken_ones_are_reported_once(tmp_path, repo):
    rules = tmp_path / "rules"
    shutil.copytree(repo / "rules", rules)
    errors: list[str] = []
    holder = RulesHolder(rules, on_error=errors.append)
    assert not holder.refresh()  # nothing changed
    assert [t.id for t in holder().topics] == ["csto", "non_recognition", "sanctions"]

    (rules / "weather.yaml").write_text(
        "id: weather\nname: Weather\ndescription: storms\nmatch:\n  any: [blizzard]\n"
    )
    assert holder.refresh()
    assert holder().match("Blizzard hits Astana", "", "en")[0].topic == "weather"

    (rules / "weather.yaml").write_text("id: weather\nname: [broken\n")
    assert not holder.refresh()
    assert holder().match("Blizzard hits Astana", "", "en")[0].topic == "weather"
    bump(rules / "weather.yaml")
    assert not holder.refresh()
    assert len(errors) == 1 and "weather.yaml:" in errors[0]

    (rules / "weather.yaml").unlink()
    assert holder.refresh()
    assert holder.last_error is None and holder().match("Blizzard", "", "en") == []
