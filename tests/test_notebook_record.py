"""A notebook run as a record: a re-run fixed cell replaces its own pending file (never an applied
one), progress is reported step by step (and in a terminal), a lock wait names the session holding
the lock, and the advice on a lock timeout is about the lock, not the SQL."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from IPython.core.error import UsageError

from dbmigrate_magic import api, progress
from dbmigrate_magic.errors import MigrationFailed
from tests.helpers import make_project, tables, with_password

USERS = "-- UP\nCREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(20));\n-- DOWN\nDROP TABLE users;\n"


@pytest.fixture
def in_cell(ipython, monkeypatch):
    """The shell runs cells as JupyterLab sends them: with the front end's cell id."""

    def use(cell_id: str) -> None:
        monkeypatch.setattr(ipython, "parent_header", {"metadata": {"cellId": cell_id}}, raising=False)

    return use


def cell_files(root):
    return sorted(p.name for p in (root / "migrations").glob("*_orders.sql"))


def test_rerun_fixed_cell_replaces_its_pending_file_never_an_applied_one(ipython, in_cell, tmp_path, monkeypatch):
    root = make_project(tmp_path / "app", "sqlite:///dev.db")
    monkeypatch.chdir(root)
    url = f"sqlite:///{root / 'dev.db'}"
    in_cell("cell-a")
    with pytest.raises(UsageError) as failed:
        ipython.run_cell_magic(
            "dbm",
            "migrate --name orders --yes",
            "CREATE TABLE orders (id INTEGER PRIMARY KEY);\nINSERT INTO nope VALUES (1);",
        )
    said = str(failed.value)
    first = cell_files(root)
    assert len(first) == 1 and "orders" not in tables(url)
    assert f"migrations/{first[0]} that this cell wrote is still there and pending" in said
    assert "run the cell again: the new run replaces that file" in said

    in_cell("cell-a")
    time.sleep(1.1)  # a new timestamp for the new file
    done = ipython.run_cell_magic("dbm", "migrate --name orders --yes", "CREATE TABLE orders (id INTEGER PRIMARY KEY);")
    assert done.status == "applied" and "orders" in tables(url)
    assert len(cell_files(root)) == 1 and cell_files(root) != first  # replaced, not added behind it
    assert any(n.startswith(f"Replaced migrations/{first[0]}: this cell wrote it") for n in done.notes)

    time.sleep(1.1)
    again = ipython.run_cell_magic("dbm", "migrate --name orders --yes", "CREATE TABLE orders2 (id INTEGER);")
    assert again.status == "applied" and len(cell_files(root)) == 2  # the applied one stays


def test_cancel_after_failure_removes_the_cells_file_and_says_what_stays(tmp_path):
    from dbmigrate_magic.display.confirm import build_controls

    root = make_project(tmp_path / "app", "sqlite:///dev.db", {"20250101000000_users.sql": USERS})
    controls = build_controls(
        api.migrate(root, sql="CREATE TABLE t (id INTEGER);\nINSERT INTO nope VALUES (1);", name="t")
    )
    written = list((root / "migrations").glob("*_t.sql"))
    controls.apply.click()
    failed = controls.outcome
    assert failed.status == "failed" and written[0].exists()
    assert [r["state"] for r in failed.table()] == ["applied", "failed"]
    assert not controls.cancel.disabled and controls.apply.disabled  # Cancel stays: the file can go
    controls.cancel.click()
    cancelled = controls.outcome
    assert not written[0].exists() and f"Removed migrations/{written[0].name}" in cancelled.message
    assert "The database is as the failure left it" in cancelled.message
    assert "users" in tables(f"sqlite:///{root / 'dev.db'}")  # the step before the failure stays applied


def test_cancelled_preview_lists_nothing_as_planned_and_notes_read_once(tmp_path):
    root = make_project(tmp_path / "app", "sqlite:///dev.db", {"20250101000000_users.sql": USERS})
    preview = api.migrate(root)
    text = preview.to_text()
    assert text.count("does not exist yet: it will be created") == 1
    assert "To apply: press Apply" in text
    cancelled = preview.cancelled()
    assert {r["state"] for r in cancelled.table()} == {"not run"}
    done = api.migrate(root, yes=True)
    shown = done.to_text() + done._repr_html_()
    assert "it will be created" not in shown and shown.count("did not exist: it was created") == 2  # text + html


def test_cli_progress_goes_to_stderr(run_dbm, tmp_path):
    root = make_project(
        tmp_path / "app",
        "sqlite:///dev.db",
        {"20250101000000_users.sql": USERS, "20250102000000_t.sql": "CREATE TABLE t (id INTEGER);\n"},
    )
    out = run_dbm("migrate", "--yes", cwd=root, env={"DBM_PROGRESS": "1"})
    assert out.returncode == 0, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if "] step " in ln]
    assert [ln.split("] ", 1)[1] for ln in lines] == [
        "step 1 of 2: 20250101000000_users.sql running",
        "step 1 of 2: 20250101000000_users.sql applied",
        "step 2 of 2: 20250102000000_t.sql running",
        "step 2 of 2: 20250102000000_t.sql applied",
    ]
    assert "step " not in out.stdout


@pytest.mark.parametrize("kind", ["postgres", "mysql"])
def test_lock_wait_is_shown_and_advice_is_about_the_lock(kind, request, tmp_path, monkeypatch):
    url = request.getfixturevalue("pg_url" if kind == "postgres" else "mysql_url")
    secret_url = with_password(url, "Sw0rdfish-planted") if kind == "postgres" else url  # PG trusts any password
    root = make_project(tmp_path / "app", secret_url, {"20250101000000_users.sql": USERS})
    api.migrate(root, yes=True)
    (root / "migrations" / "20250102000000_add_email.sql").write_text(
        "ALTER TABLE users ADD COLUMN email VARCHAR(50);\n"
    )
    monkeypatch.setenv("DBM_LOCK_TIMEOUT", "3")
    monkeypatch.setenv("DBM_LOCK_RETRIES", "0")
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    holder = engine.connect()
    holder.begin()
    holder.execute(sa.text("SELECT * FROM users"))  # an open transaction that read the table holds its lock
    holder_id = holder.execute(
        sa.text("SELECT pg_backend_pid()" if kind == "postgres" else "SELECT CONNECTION_ID()")
    ).scalar()
    events: list[progress.Event] = []
    try:
        with progress.listen(events.append), pytest.raises(MigrationFailed) as failed:
            api.migrate(root, yes=True)
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
    waits = [e for e in events if e.kind == "lock"]
    assert waits and f"session {holder_id}" in waits[-1].detail and "waiting" in waits[-1].detail
    assert waits[-1].migration == "20250102000000_add_email.sql" and waits[-1].total == 1
    message = failed.value.message
    assert "timed out waiting for a lock" in message and f"held by session {holder_id}" in message
    assert "The SQL is not at fault" in message and "Fix the SQL" not in message
    partial = failed.value.result
    said = message + "".join(e.line() for e in events) + partial.to_text() + partial._repr_html_()
    assert "Sw0rdfish-planted" not in said
    if kind == "postgres":
        assert "email" not in [c for c in _columns(url)]


def _columns(url):
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        return [c["name"] for c in sa.inspect(engine).get_columns("users")]
    finally:
        engine.dispose()


def test_first_cell_migration_in_an_empty_project_uses_raw_sql_and_says_so_once(ipython, tmp_path, monkeypatch):
    root = make_project(tmp_path / "new", "sqlite:///dev.db")  # an empty migrations/ folder: no tool yet
    monkeypatch.chdir(root)
    first = ipython.run_cell_magic("dbm", "migrate --yes", "CREATE TABLE a (id INTEGER PRIMARY KEY);")
    assert first.status == "applied" and "a" in tables(f"sqlite:///{root / 'dev.db'}")
    assert sum("No migration tool was detected here" in n for n in first.notes) == 1
    second = ipython.run_cell_magic("dbm", "migrate --yes", "CREATE TABLE b (id INTEGER PRIMARY KEY);")
    assert second.status == "applied" and not any("No migration tool" in n for n in second.notes)


def test_production_stands_out_and_long_previews_say_how_to_confirm_at_the_top(tmp_path):
    many = {f"2025010100{i:04d}_t{i}.sql": f"CREATE TABLE t{i} (id INTEGER);\n" for i in range(12)}
    root = make_project(tmp_path / "app", "sqlite:///dev.db", many)
    (root / ".env.production").write_text("DATABASE_URL=sqlite:///prod.db\n")
    envs = api.env(project=root)._repr_html_()
    assert envs.count('font-weight:700">production</span>') == 1  # only the production row
    markup = api.migrate(root)._repr_html_()
    hint = "To apply: press Apply (a live kernel), or run this cell again with --yes."
    assert markup.count(hint) == 2 and markup.index(hint) < markup.index("<table")
    assert "<details><summary>SQL of 12 step(s)" in markup  # long SQL starts collapsed


def test_a_failure_in_another_pending_file_is_not_blamed_on_the_cells_sql(ipython, in_cell, tmp_path, monkeypatch):
    # a broken pending file the cell did not write (a restarted kernel's, another cell's, a colleague's)
    root = make_project(
        tmp_path / "app", "sqlite:///dev.db", {"20250101000000_bad.sql": "INSERT INTO nope VALUES (1);\n"}
    )
    monkeypatch.chdir(root)
    in_cell("cell-b")
    with pytest.raises(UsageError) as failed:
        ipython.run_cell_magic("dbm", "migrate --name orders --yes", "CREATE TABLE orders (id INTEGER PRIMARY KEY);")
    said = str(failed.value)
    mine = cell_files(root)
    assert len(mine) == 1 and "orders" not in tables(f"sqlite:///{root / 'dev.db'}")
    assert "Fix the SQL in the cell" not in said and "the new run replaces that file" not in said
    assert "The failure is in migrations/20250101000000_bad.sql, not in this cell's SQL" in said
    assert f"migrations/{mine[0]} that this cell wrote was not reached" in said


def test_a_non_production_environment_badge_has_a_valid_style(tmp_path):
    root = make_project(tmp_path / "app", "sqlite:///dev.db", {"20250101000000_users.sql": USERS})
    markup = api.migrate(root)._repr_html_() + api.status(root, envs=["development"])._repr_html_()
    assert "color:color:" not in markup and "solid color:" not in markup  # a colour value, not a declaration
    muted = "color:var(--jp-ui-font-color2,#616161);border:1px solid var(--jp-ui-font-color2,#616161)"
    assert muted + ";border-radius:3px" in markup and ">development</span>" in markup


def test_a_flagged_run_that_fails_leaves_its_record_in_the_saved_notebook(tmp_path, monkeypatch):
    """``--confirm production`` (no button): the failed run's where, when, by whom, backup and steps
    stay in the saved notebook as an ordinary output, above the error that says what to do."""
    import os
    import sqlite3

    import nbformat
    from nbclient import NotebookClient

    root = make_project(tmp_path / "app", "sqlite:///dev.db", {"20250101000000_users.sql": USERS})
    (root / ".env.production").write_text("DATABASE_URL=sqlite:///prod.db\n")
    with sqlite3.connect(root / "prod.db") as conn:
        conn.execute("CREATE TABLE existing (id INTEGER PRIMARY KEY)")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext dbmigrate_magic"),
        nbformat.v4.new_code_cell(
            "%%dbm migrate --name t --env production --confirm production\n"
            "CREATE TABLE t (id INTEGER);\nINSERT INTO nope VALUES (1);"
        ),
    ]
    repo = str(Path(__file__).resolve().parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")])))
    NotebookClient(
        nb, timeout=180, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(root)}}
    ).execute()
    nbformat.write(nb, root / "saved.ipynb")
    outputs = nbformat.read(root / "saved.ipynb", as_version=4).cells[1].outputs
    assert [o.output_type for o in outputs] == ["display_data", "stream"]  # the record, then the error
    text, markup = outputs[0].data["text/plain"], outputs[0].data["text/html"]
    for shown in (text, markup):
        assert "migrate: failed" in shown or ">failed<" in shown
        assert "on production (sqlite:///" in shown and " by " in shown
        assert "Backup taken before migrate" in shown and "dbm restore production-" in shown
        assert "20250101000000_users.sql" in shown and "no such table: nope" in shown
    assert outputs[1].name == "stderr" and "that this cell wrote is still there and pending" in outputs[1].text
    assert "users" in tables(f"sqlite:///{root / 'prod.db'}") and "t" not in tables(f"sqlite:///{root / 'prod.db'}")


def test_a_value_cut_to_fit_a_text_table_says_it_was_cut(tmp_path):
    # the env table's URL column is capped: cut silently, ".../h_chknb_prod" read as ".../h_chknb_pro"
    name = "db_" + "x" * 40 + "_prod"
    root = make_project(tmp_path / "app", "sqlite:///dev.db")
    (root / ".env.production").write_text(f"DATABASE_URL=postgresql://app:S3cretPlant@db.internal:5432/{name}\n")
    text = api.env(project=root).to_text()
    row = next(ln for ln in text.splitlines() if ln.split()[:1] == ["production"])
    url = next(part for part in row.split("  ") if "db.internal" in part)
    assert url.endswith("…") and name not in text and "S3cretPlant" not in text


def test_a_flagged_run_that_is_refused_fails_the_cell(ipython, tmp_path, monkeypatch):
    """``--yes`` / ``--confirm`` asked for a run; a refusal (nothing ran) fails the cell as the CLI exits 1,
    so an unattended runbook stops there; a preview without flags still just shows."""
    root = make_project(tmp_path / "app", "sqlite:///dev.db", {"20250101000000_users.sql": USERS})
    (root / ".env.production").write_text("DATABASE_URL=sqlite:///prod.db\n")
    monkeypatch.chdir(root)
    with pytest.raises(UsageError) as refused:
        ipython.run_line_magic("dbm", "migrate --env production --yes")
    assert "--yes is not enough there: nothing was run" in str(refused.value)
    with pytest.raises(UsageError) as wrong_name:
        ipython.run_line_magic("dbm", "migrate --env production --confirm staging")
    assert "does not match the target environment" in str(wrong_name.value)
    assert "users" not in tables(f"sqlite:///{root / 'prod.db'}")
    ipython.run_line_magic("dbm", "migrate --env production")  # a preview: awaiting confirmation, no error


def test_a_development_run_says_nothing_about_a_backup(tmp_path):
    # backups are taken before production changes only: a new development SQLite file is no reason to mention one
    root = make_project(tmp_path / "app", "sqlite:///dev.db", {"20250101000000_users.sql": USERS})
    done = api.migrate(root, yes=True)
    assert done.status == "applied" and not any("backup" in n.lower() for n in done.all_notes())
    (root / ".env.production").write_text("DATABASE_URL=sqlite:///prod.db\n")
    prod = api.migrate(root, env="production", confirm="production")
    assert any(n.startswith("No backup taken: the SQLite database file does not exist yet") for n in prod.all_notes())
