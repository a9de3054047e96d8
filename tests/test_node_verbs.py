"""The verbs a user runs (dbm migrate / rollback / new, %%dbm migrate) on Knex and TypeORM projects."""

from __future__ import annotations

import json

import pytest

from tests.node_projects import (
    fast_ts_node,  # noqa: F401 (fixture)
    knex_list,
    knex_project,
    typeorm_project,
    typeorm_show,
)

pytestmark = pytest.mark.node
PASSWORD = "pl4nted-Secret-5"
CELL = """-- UP
CREATE TABLE people (id int PRIMARY KEY, note varchar(20));
INSERT INTO people VALUES (1, 'x');
-- DOWN
DROP TABLE people;
"""


def test_knex_cli_and_cell_rerun(tmp_path, run_dbm, ipython):
    url = f"sqlite:///{tmp_path / 'app' / 'dev.sqlite3'}"
    project = knex_project(tmp_path / "app", url, ["alpha", "beta"])
    (project / ".env").write_text("DATABASE_URL=file:./dev.sqlite3\n")

    out = run_dbm("migrate", project, "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "hand-written" in out.stdout and "20240101120000_create_alpha.js" in out.stdout
    assert "the whole batch in one transaction (knex's own)" in out.stdout
    assert knex_list(project, url)[0] == []  # a dry run runs nothing

    out = run_dbm("migrate", project, "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    completed, pending = knex_list(project, url)
    assert len(completed) == 2 and pending == []

    # a notebook cell becomes a knex migration, applied in its own batch; re-running the cell is a no-op
    ipython.run_cell_magic("dbm", f"migrate --name add_people --yes --project {project}", CELL)
    files = sorted((project / "db" / "migrations").iterdir())
    assert files[-1].name.endswith("_add_people.js")
    ipython.run_cell_magic("dbm", f"migrate --name add_people --yes --project {project}", CELL)
    assert sorted((project / "db" / "migrations").iterdir()) == files
    assert knex_list(project, url)[0][-1] == files[-1].name

    data = json.loads(run_dbm("status", project, "--format", "json").stdout)
    assert [(r["state"], r["batch"]) for r in data["migrations"]] == [("applied", 1), ("applied", 1), ("applied", 2)]

    out = run_dbm("rollback", project, "--yes")  # knex's unit: the last batch
    assert out.returncode == 0, out.stdout + out.stderr
    assert knex_list(project, url) == ([f.name for f in files[:2]], [files[-1].name])
    out = run_dbm("rollback", project, "--steps", "2", "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    assert knex_list(project, url)[0] == []

    out = run_dbm("new", "backfill notes", "--project", project)
    assert out.returncode == 0, out.stderr
    newest = sorted((project / "db" / "migrations").iterdir())[-1]
    assert newest.name.endswith("_backfill_notes.js") and newest.name > files[-1].name
    assert knex_list(project, url)[1][-1] == newest.name


@pytest.mark.postgres
def test_typeorm_cli_on_postgres_masks_the_password(tmp_path, run_dbm, pg_url, fast_ts_node):
    url = pg_url.replace("postgres@", f"postgres:{PASSWORD}@", 1)
    project = typeorm_project(tmp_path / "app", url, ["alpha"])
    out = run_dbm("migrate", project, "--yes", "--format", "json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert typeorm_show(project, url) == (["CreateAlpha1700000000000"], [])
    (project / "src" / "migrations" / "1700000005000-Broken.ts").write_text(
        'import { MigrationInterface, QueryRunner } from "typeorm";\n'
        "export class Broken1700000005000 implements MigrationInterface {\n"
        '  async up(q: QueryRunner) { await q.query("SELECT * FROM no_such_table"); }\n'
        "  async down(q: QueryRunner) {}\n}\n"
    )
    out = run_dbm("migrate", project, "--yes")
    assert out.returncode != 0
    assert "no_such_table" in out.stderr and "ToolFailed" not in out.stderr  # a message, not a traceback
    for text in (out.stdout, out.stderr):
        assert PASSWORD not in text
    (project / "src" / "migrations" / "1700000005000-Broken.ts").unlink()
    out = run_dbm("rollback", project, "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    assert typeorm_show(project, url) == ([], ["CreateAlpha1700000000000"])
    assert PASSWORD not in out.stdout + out.stderr


@pytest.mark.postgres
def test_concurrent_knex_runs_use_knexs_own_lock(tmp_path, pg_url):
    """Four `dbm migrate --yes` at once on a fresh database (where knex's own first runs race to create
    its tables): the runs queue, each migration runs once, and the others report nothing left to do."""
    import subprocess
    import sys

    from sqlalchemy import create_engine, text

    from conftest import dbm_env

    names = ["a1", "b2", "c3", "d4", "e5", "f6"]
    project = knex_project(tmp_path / "app", pg_url, names)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "dbmigrate_magic", "migrate", str(project), "--yes", "--format", "json"],
            env=dbm_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=240), *p.communicate()) for p in procs]
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        recorded = [r[0] for r in conn.execute(text("SELECT name FROM knex_history ORDER BY id"))]
        locked = conn.execute(text("SELECT is_locked FROM knex_history_lock")).scalar()
    engine.dispose()
    assert sorted(recorded) == sorted(f.name for f in (project / "db" / "migrations").iterdir())
    assert len(recorded) == len(set(recorded)) == len(names)
    assert locked == 0
    applied_by: dict[str, int] = {}
    for code, out, err in results:
        assert code == 0, out + err  # the others waited their turn, then found nothing left to do
        for o in json.loads(out).get("outcomes", []):
            if o["state"] == "applied":
                applied_by[o["migration"]] = applied_by.get(o["migration"], 0) + 1
    assert applied_by == {n: 1 for n in recorded}  # each reported applied by exactly one run


@pytest.mark.postgres
def test_concurrent_typeorm_runs_are_serialised(tmp_path, pg_url, fast_ts_node):
    """TypeORM has no lock of its own: three `dbm migrate --yes` at once still apply each migration once."""
    import subprocess
    import sys

    from sqlalchemy import create_engine, text

    from conftest import dbm_env

    project = typeorm_project(tmp_path / "app", pg_url, ["a1", "b2", "c3"])
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "dbmigrate_magic", "migrate", str(project), "--yes", "--format", "json"],
            env=dbm_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        recorded = [r[0] for r in conn.execute(text("SELECT name FROM typeorm_history ORDER BY id"))]
    engine.dispose()
    assert sorted(recorded) == sorted(set(recorded)) and len(recorded) == 3
    applied_by: dict[str, int] = {}
    for code, out, err in results:
        assert code == 0, out + err  # the others waited for the lock, then found nothing left to do
        for o in json.loads(out).get("outcomes", []):
            if o["state"] == "applied":
                applied_by[o["migration"]] = applied_by.get(o["migration"], 0) + 1
    assert applied_by == {n: 1 for n in recorded}
