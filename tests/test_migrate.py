"""Migrations: Alembic runs only when the schema is behind, and `geoalert run` never loads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from bot.errors import StorageError
from storage import make_engine, upgrade
from storage.migrate import HEAD, alembic_config, schema_revision

REPO = Path(__file__).resolve().parent.parent

# Opens the store at argv[1] as `geoalert run` does, then says whether Alembic got loaded.
OPEN_AS_RUN = """
import sys
from storage import make_engine, upgrade
from storage.migrate import schema_revision
engine = make_engine(sys.argv[1])
upgrade(engine, isolated=sys.argv[2] == "isolated")
print(schema_revision(engine), "alembic" in sys.modules, "mako" in sys.modules)
"""


def open_in_process(url: str, how: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", OPEN_AS_RUN, url, how],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_head_names_the_newest_migration():
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD


def test_a_long_running_process_migrates_a_new_database_without_loading_alembic(database_url):
    assert open_in_process(database_url, "isolated") == [HEAD, "False", "False"]


def test_a_database_at_head_opens_without_alembic(database_url):
    assert open_in_process(database_url, "here") == [HEAD, "True", "True"]  # it migrated
    assert open_in_process(database_url, "here") == [HEAD, "False", "False"]


def test_an_old_schema_is_brought_to_head_by_the_child(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0005")
        assert schema_revision(engine) == "0005"
        upgrade(engine, isolated=True)
        assert schema_revision(engine) == HEAD
    finally:
        engine.dispose()


@pytest.mark.parametrize("isolated", [False, True])
def test_a_file_that_is_no_database_gets_one_clear_error(tmp_path, isolated):
    path = tmp_path / "geoalert.db"
    path.write_bytes(b"not a database, just text " * 100)
    engine = make_engine(f"sqlite:///{path}")
    with pytest.raises(StorageError) as caught:
        upgrade(engine, isolated=isolated)
    engine.dispose()
    assert str(caught.value) == f"cannot migrate database sqlite:///{path}: file is not a database"
    assert path.read_bytes() == b"not a database, just text " * 100  # untouched


def test_the_childs_error_never_shows_the_password(postgres_url):
    secret = "s3cr3t-pw"
    bad = make_url(postgres_url).set(username="nobody_here", password=secret,
                                     database="no_such_database", query={})  # fmt: skip
    engine = make_engine(bad.render_as_string(hide_password=False))
    with pytest.raises(StorageError) as caught:
        upgrade(engine, isolated=True)
    engine.dispose()
    message = str(caught.value)
    assert message.startswith("cannot migrate database postgresql+psycopg://nobody_here:***@")
    assert secret not in message
