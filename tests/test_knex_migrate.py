"""Writing, applying and rolling back Knex migrations through the project's own knex CLI.

Round trips: what we write, `knex migrate:list` lists and knex applies; what we apply, knex
records exactly as it would; our rollback leaves knex's table as knex's own rollback would.
"""

from __future__ import annotations

import re
import shutil

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.adapters.knex.adapter import KnexAdapter
from dbmigrate_magic.db import Database
from dbmigrate_magic.errors import ProjectError, ToolFailed, ToolMissing, UnsupportedOperation
from dbmigrate_magic.masking import register_secret
from tests.helpers import execute, query, tables
from tests.node_projects import knex, knex_list, knex_project

pytestmark = pytest.mark.node
PASSWORD = "pl4nted-Secret-9"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def knex_db(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'chosen.sqlite3'}"
    # trust authentication ignores the password, so a planted one must simply never show up
    return request.getfixturevalue("pg_url").replace("postgres@", f"postgres:{PASSWORD}@", 1)


def ledger(url: str) -> list[tuple[str, int]]:
    return query(url, "SELECT name, batch FROM knex_history ORDER BY id")


def test_write_apply_rollback_round_trip(tmp_path, knex_db):
    (tmp_path / "data").mkdir()
    register_secret(PASSWORD)
    project = knex_project(tmp_path / "app", knex_db, ["alpha"])
    # The project's .env points somewhere else: the connection must come from the environment we pass.
    (project / ".env").write_text("DATABASE_URL=file:./not-this-one.sqlite3\n")
    knex(project, knex_db, "migrate:latest")
    adapter = KnexAdapter(project)
    db = Database(knex_db, "development")

    up = "CREATE TABLE people (id int PRIMARY KEY, note varchar(20));\nINSERT INTO people VALUES (1, 'a;b');"
    path = adapter.new_migration("add people", up, "DROP TABLE people;")
    assert re.fullmatch(r"\d{14}_add_people\.js", path.name)
    assert path.parent == project / "db" / "migrations"  # the knexfile's directory
    assert path.name > "20240101120000_create_alpha.js"
    assert adapter.find_migration("add people", up, "DROP TABLE people;").path == path
    assert adapter.find_migration("add people", up.replace("20", "30"), "DROP TABLE people;") is None
    assert adapter.find_migration("add people", up, None) is None
    assert knex_list(project, knex_db)[1] == [path.name]  # knex's own status lists it as pending

    plan = adapter.plan_apply(db)
    assert [s.migration for s in plan] == [path.name]
    assert "CREATE TABLE people" in plan[0].sql and "'a;b'" in plan[0].sql
    assert plan[0].transactional

    before = ledger(knex_db)
    outcomes = adapter.apply(db, plan)
    assert [o.state for o in outcomes] == ["applied"]
    completed, pending = knex_list(project, knex_db)
    assert completed[-1] == path.name and pending == []
    assert ledger(knex_db) == before + [(path.name, 2)]  # a new batch, as migrate:latest records it
    assert "people" in tables(knex_db)
    assert not (project / "not-this-one.sqlite3").exists()
    assert [r.state for r in adapter.history(db).rows] == ["applied", "applied"]

    steps = adapter.plan_rollback(db)  # default: knex's last batch
    assert [s.migration for s in steps] == [path.name] and "DROP TABLE people" in steps[0].sql
    assert [o.state for o in adapter.rollback(db, steps)] == ["rolled_back"]
    assert ledger(knex_db) == before
    assert "people" not in tables(knex_db)
    assert knex_list(project, knex_db)[1] == [path.name]


def test_to_target_steps_and_no_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'app' / 'dev.sqlite3'}"
    project = knex_project(tmp_path / "app", url, ["alpha", "beta", "gamma"])
    adapter = KnexAdapter(project)
    db = Database(url, "development")
    names = [f.id for f in adapter.migration_files()]
    plan = adapter.plan_apply(db, target=names[1].removesuffix(".js"))
    assert [s.migration for s in plan] == names[:2]
    assert "hand-written" in plan[0].sql and not plan[0].extra["written_by_dbm"]
    adapter.apply(db, plan)
    assert knex_list(project, url) == (names[:2], names[2:])
    adapter.apply(db, adapter.plan_apply(db))
    assert ledger(url) == [(names[0], 1), (names[1], 1), (names[2], 2)]

    steps = adapter.plan_rollback(db, steps=2)  # crosses a batch boundary: one migrate:down per step
    assert [s.migration for s in steps] == [names[2], names[1]]
    adapter.rollback(db, steps)
    assert ledger(url) == [(names[0], 1)]

    adapter.apply(db, adapter.plan_apply(db))
    adapter.rollback(db, adapter.plan_rollback(db, target=names[0]))
    assert ledger(url) == [(names[0], 1)]

    one_way = adapter.new_migration("one way", "CREATE TABLE t1 (id int);")
    adapter.apply(db, adapter.plan_apply(db))
    with pytest.raises(UnsupportedOperation, match="no down SQL"):
        adapter.plan_rollback(db)
    assert ledger(url)[-1][0] == one_way.name  # nothing was touched

    (project / "db" / "migrations" / names[0]).unlink()  # knex calls the directory corrupt: we say so first
    with pytest.raises(ProjectError, match="missing"):
        adapter.plan_rollback(db, steps=1)
    assert "corrupt" in knex(project, url, "migrate:rollback", check=False).stderr


def test_failing_sql_is_a_masked_tool_error(tmp_path, knex_db):
    (tmp_path / "data").mkdir()
    register_secret(PASSWORD)
    project = knex_project(tmp_path / "app", knex_db, ["alpha"])
    adapter = KnexAdapter(project)
    db = Database(knex_db, "development")
    adapter.new_migration("broken", "CREATE TABLE ok_table (id int);\nCREATE TABLE broken (id int, id int);")
    with pytest.raises(ToolFailed) as info:
        adapter.apply(db, adapter.plan_apply(db))
    message = str(info.value)
    assert "broken" in message and "exit code" in message
    assert PASSWORD not in message
    status = {r.migration: r.state for r in adapter.history(db).rows}
    # knex runs a whole batch in one transaction: neither alpha nor the broken one is recorded or left behind
    assert sorted(status.values()) == ["pending", "pending"]
    assert not {"ok_table", "alpha"} & tables(knex_db)
    print(message)


def test_missing_knex_names_npm_install(tmp_path):
    url = f"sqlite:///{tmp_path / 'app' / 'dev.sqlite3'}"
    project = knex_project(tmp_path / "app", url, ["alpha"])
    (project / "node_modules").unlink()
    adapter = KnexAdapter(project)
    with pytest.raises(ToolMissing, match="npm install"):
        adapter.apply(Database(url), adapter.plan_apply(Database(url)))
    assert not (tmp_path / "app" / "dev.sqlite3").exists() or "knex_history" not in tables(url)
    shutil.rmtree(project / "db")


def test_typescript_knexfile(tmp_path, monkeypatch):
    """A knexfile.ts project: the project's ts-node loads it (and its .ts migrations) under our wrapper."""
    monkeypatch.setenv("TS_NODE_TRANSPILE_ONLY", "1")
    project = knex_project(tmp_path / "app", f"sqlite:///{tmp_path / 'unused.sqlite3'}", [])
    (project / "knexfile.js").unlink()
    (project / "knexfile.ts").write_text(
        'import type { Knex } from "knex";\n'
        "const config: { [env: string]: Knex.Config } = {\n"
        '  development: { client: "better-sqlite3", connection: { filename: "./dev.sqlite3" },\n'
        '    useNullAsDefault: true, migrations: { directory: "./db/migrations", tableName: "knex_history" } },\n'
        "};\nmodule.exports = config;\n"
    )
    (project / "tsconfig.json").write_text(
        '{"compilerOptions": {"module": "commonjs", "target": "ES2020", "esModuleInterop": true, "skipLibCheck": true}}'
    )
    (project / "db" / "migrations" / "20240101000000_first.ts").write_text(
        'import type { Knex } from "knex";\n'
        'export async function up(knex: Knex) { await knex.schema.createTable("first", (t) => t.increments()); }\n'
        'export async function down(knex: Knex) { await knex.schema.dropTable("first"); }\n'
    )
    url = f"sqlite:///{tmp_path / 'chosen.sqlite3'}"
    adapter = KnexAdapter(project)
    db = Database(url, "development")
    path = adapter.new_migration("second", "CREATE TABLE second (id int);", "DROP TABLE second;")
    assert [o.state for o in adapter.apply(db, adapter.plan_apply(db))] == ["applied", "applied"]
    assert ledger(url) == [("20240101000000_first.ts", 1), (path.name, 1)]
    assert {"first", "second"} <= tables(url)
    assert not (project / "dev.sqlite3").exists()  # the knexfile's own database was not touched


def test_a_down_that_fails_under_knex_is_reported_and_changes_nothing(tmp_path, run_dbm, knex_db):
    """A project's own down code that Knex cannot run (``dropIndex`` given an index name, which Knex
    takes as column names): `knex migrate:rollback` fails, and so must dbm's, with Knex's error and
    the batch still recorded, never a rollback reported."""
    (tmp_path / "data").mkdir()
    project = knex_project(tmp_path / "app", knex_db, ["alpha"])
    (project / "db" / "migrations" / "20240101130000_index_alpha.js").write_text(
        "exports.up = (knex) => knex.schema.raw('CREATE INDEX alpha_by_id ON alpha (id)');\n"
        "exports.down = (knex) => knex.schema.table('alpha', (t) => { t.dropIndex('alpha_by_id'); });\n"
    )
    knex(project, knex_db, "migrate:latest")
    before = ledger(knex_db)
    assert "alpha_by_id_index" in knex(project, knex_db, "migrate:rollback", check=False).stderr  # Knex itself

    out = run_dbm("rollback", "--yes", "--env", knex_db, cwd=project)
    text = out.stdout + out.stderr
    assert out.returncode != 0 and "alpha_by_id_index" in text and "knex" in text.lower()
    assert ledger(knex_db) == before and "alpha" in tables(knex_db)


BODIES = {  # one statement each, with a ';' inside that only the database's own parser keeps in place
    "sqlite": (
        "CREATE TABLE people (id int PRIMARY KEY, note text);\n"
        "CREATE TRIGGER people_note AFTER INSERT ON people BEGIN UPDATE people SET note = 'x' WHERE id = NEW.id; END;",
        "DROP TRIGGER people_note;\nDROP TABLE people;",
    ),
    "postgresql": (
        "CREATE TABLE people (id int PRIMARY KEY, note text);\n"
        "CREATE FUNCTION people_note() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN NEW.note := 'x'; "
        "RETURN NEW; END $f$;\n"
        "CREATE TRIGGER people_note BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION people_note();",
        "DROP TABLE people;\nDROP FUNCTION people_note();",
    ),
}


def test_new_splits_sql_for_the_environments_database_when_the_knexfile_names_several_clients(tmp_path, knex_db):
    """The knexfile picks its client from DATABASE_URL at run time, so its text names pg, mysql2 and
    better-sqlite3: the statements are split as the environment's database reads them (a SQLite
    trigger's BEGIN ... END, a PostgreSQL dollar-quoted body), and knex runs them as written."""
    (tmp_path / "data").mkdir()
    project = knex_project(tmp_path / "app", knex_db, [])
    up, down = BODIES["sqlite" if knex_db.startswith("sqlite") else "postgresql"]
    api.new("people", str(project), up_sql=up, down_sql=down)
    out = api.migrate(str(project), env=knex_db, yes=True)
    assert out.status == "applied", out.to_text()
    execute(knex_db, "INSERT INTO people (id) VALUES (1)")
    assert query(knex_db, "SELECT note FROM people") == [("x",)]
    assert api.rollback(str(project), env=knex_db, yes=True).status == "rolled back"
    assert "people" not in tables(knex_db)
