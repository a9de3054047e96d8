"""Confirmation: nothing runs without it, production needs its name typed back, and a re-run
``%%dbm migrate`` cell never writes a second migration."""

from __future__ import annotations

import json

import pytest
from IPython.core.error import UsageError

from dbmigrate_magic import api
from tests.helpers import make_project, recorded, tables

USERS = "-- UP\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n-- DOWN\nDROP TABLE users;\n"


@pytest.fixture
def project(tmp_path):
    root = make_project(tmp_path / "app", "sqlite:///dev.db", {"20250101000000_users.sql": USERS})
    (root / ".env.production").write_text("DATABASE_URL=sqlite:///prod.db\n")
    import sqlite3

    with sqlite3.connect(root / "prod.db") as conn:  # production exists already (and gets backed up)
        conn.execute("CREATE TABLE existing (id INTEGER PRIMARY KEY)")
    return root


@pytest.mark.parametrize(
    "env,flags,applied,code,says",
    [
        ("development", [], False, 1, "--yes"),
        ("development", ["--yes"], True, 0, "applied"),
        ("development", ["--confirm", "development"], True, 0, "applied"),
        ("development", ["--confirm", "production"], False, 1, "does not match"),
        ("development", ["--dry-run", "--yes"], False, 0, "Dry run"),
        ("production", [], False, 1, "--confirm production"),
        ("production", ["--yes"], False, 1, "--yes is not enough"),
        ("production", ["--confirm", "prod"], False, 1, "does not match"),
        ("production", ["--confirm", "production"], True, 0, "applied"),
    ],
)
def test_confirmation_matrix_cli(project, run_dbm, env, flags, applied, code, says):
    out = run_dbm("migrate", project, "--env", env, *flags)
    assert out.returncode == code, out.stdout + out.stderr
    assert says in out.stdout + out.stderr
    db = project / ("prod.db" if env == "production" else "dev.db")
    url = f"sqlite:///{db}"
    if applied:
        assert "users" in tables(url) and set(recorded(url)) == {"20250101000000_users.sql"}
    else:
        assert not db.exists() or "users" not in tables(url)
    if not applied and not any(f in flags for f in ("--dry-run",)):
        assert "CREATE TABLE users" in out.stdout  # the preview is still shown


def test_json_preview_and_tty_prompt(project, run_dbm):
    out = run_dbm("migrate", project, "--format", "json")
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert data["status"] == "awaiting confirmation"
    assert data["preview"]["production"] is False
    assert data["preview"]["steps"][0]["transactional"] is True


def test_api_confirm_runs_the_previewed_plan(project):
    pending = api.migrate(project, env="production")
    assert pending.status == "awaiting confirmation" and pending.needs_confirmation
    assert pending.confirm("yes").status == "cancelled"  # production wants its name
    assert "users" not in tables(f"sqlite:///{project / 'prod.db'}")
    pending = api.migrate(project, env="production")
    # the plan changes between preview and confirmation: refused, nothing runs
    (project / "migrations" / "20250102000000_more.sql").write_text("-- UP\nCREATE TABLE more (x INT);\n")
    changed = pending.confirm("production")
    assert changed.status == "refused" and "changed" in changed.message
    fresh = api.migrate(project, env="production")
    assert fresh.confirm("production").status == "applied"
    assert {"users", "more"} <= tables(f"sqlite:///{project / 'prod.db'}")


CELL = """-- UP
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
-- DOWN
DROP TABLE notes;
"""


def test_cell_rerun_is_idempotent(project, ipython, monkeypatch):
    monkeypatch.chdir(project)
    url = f"sqlite:///{project / 'dev.db'}"
    ipython.run_cell_magic("dbm", "migrate --name add_notes --yes", CELL)
    files = sorted(p.name for p in (project / "migrations").glob("*_add_notes.sql"))
    assert len(files) == 1
    assert "notes" in tables(url) and files[0] in recorded(url)
    again = ipython.run_cell_magic("dbm", "migrate --name add_notes --yes", CELL)
    assert sorted(p.name for p in (project / "migrations").glob("*_add_notes.sql")) == files
    assert again.status == "up to date" and "already exists" in " ".join(again.notes)
    # unconfirmed cell in a terminal shell: preview only, file written as pending, says which flag to add
    ipython.run_cell_magic("dbm", "migrate --name add_tags", "CREATE TABLE tags (id INTEGER PRIMARY KEY);")
    assert "tags" not in tables(url)
    ipython.run_cell_magic("dbm", "migrate --name add_tags --yes", "CREATE TABLE tags (id INTEGER PRIMARY KEY);")
    assert len(list((project / "migrations").glob("*_add_tags.sql"))) == 1 and "tags" in tables(url)
    with pytest.raises(UsageError, match="no -- DOWN"):  # the tags cell had no DOWN part
        ipython.run_line_magic("dbm", "rollback --yes")
    assert "tags" in tables(url)


def test_notebook_buttons_apply_the_plan_and_wait_for_the_name_in_production(project):
    from dbmigrate_magic.display.confirm import build_controls

    prod = f"sqlite:///{project / 'prod.db'}"
    controls = build_controls(api.migrate(project, env="production"))
    assert controls.apply.disabled  # production: disabled until the name is typed
    controls.apply.click()
    assert controls.outcome is None and "users" not in tables(prod)
    controls.typed.value = "prod"
    assert controls.apply.disabled
    controls.typed.value = "production"
    assert not controls.apply.disabled
    controls.apply.click()
    assert controls.outcome.status == "applied" and "users" in tables(prod)
    assert controls.apply.disabled and controls.cancel.disabled  # one click, one run

    dev = build_controls(api.migrate(project, sql="CREATE TABLE gone (id INTEGER);", name="gone"))
    created = project / dev.outcome.created if dev.outcome else None
    assert created is None
    assert not dev.apply.disabled and dev.typed is None
    written = list((project / "migrations").glob("*_gone.sql"))
    assert len(written) == 1
    dev.cancel.click()  # Cancel runs nothing and removes the migration file this preview wrote
    assert dev.outcome.status == "cancelled"
    assert not written[0].exists() and "gone" not in tables(f"sqlite:///{project / 'dev.db'}")
