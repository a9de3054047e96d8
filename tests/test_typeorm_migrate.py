"""Writing, applying and reverting TypeORM migrations through the project's own typeorm CLI.

Round trips: what we write, `typeorm migration:show` lists and `migration:run` applies; what we
apply is recorded as TypeORM records it; our rollback leaves the table as `migration:revert` would.
"""

from __future__ import annotations

import re

import pytest

from dbmigrate_magic.adapters.typeorm.adapter import TypeOrmAdapter
from dbmigrate_magic.db import Database
from dbmigrate_magic.errors import ToolFailed, UnsupportedOperation
from dbmigrate_magic.masking import register_secret
from tests.helpers import query, tables
from tests.node_projects import (
    fast_ts_node,  # noqa: F401 (fixture)
    node_url,
    typeorm,
    typeorm_project,
    typeorm_show,
)

pytestmark = pytest.mark.node
PASSWORD = "pl4nted-Secret-7"


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def typeorm_db(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'chosen.sqlite3'}"
    if request.param == "postgres":  # trust authentication: the planted password must just never show up
        return request.getfixturevalue("pg_url").replace("postgres@", f"postgres:{PASSWORD}@", 1)
    return request.getfixturevalue("mysql_url")


def ledger(url: str) -> list[tuple[int, str]]:
    return [(int(t), name) for t, name in query(url, "SELECT timestamp, name FROM typeorm_history ORDER BY id")]


def decoy(url: str) -> str:
    """A URL of the same type that the DataSource would use if we failed to pass ours."""
    if url.startswith("sqlite"):
        return "file:./not-this-one.sqlite3"
    return re.sub(r"/dbm_test_\w+", "/not_this_one", node_url(url))


def test_write_apply_revert_round_trip(tmp_path, typeorm_db, monkeypatch):
    (tmp_path / "data").mkdir()
    register_secret(PASSWORD)
    project = typeorm_project(tmp_path / "app", typeorm_db, ["alpha"])
    typeorm(project, typeorm_db, "migration:run")
    if not typeorm_db.startswith("sqlite"):  # ts-node type-checks our generated class once (SQLite run) only
        monkeypatch.setenv("TS_NODE_TRANSPILE_ONLY", "1")
    # The variable the DataSource reads names another database: ours must win.
    monkeypatch.setenv("DATABASE_URL", decoy(typeorm_db))
    adapter = TypeOrmAdapter(project)
    db = Database(typeorm_db, "development")

    up = "CREATE TABLE people (id int PRIMARY KEY, note varchar(20));\nINSERT INTO people VALUES (1, 'a;b');"
    path = adapter.new_migration("add people", up, "DROP TABLE people;")
    m = re.fullmatch(r"(\d{13})-AddPeople\.ts", path.name)
    assert m and path.parent == project / "src" / "migrations"  # the folder the DataSource's glob names
    cls = f"AddPeople{m.group(1)}"
    assert f"export class {cls} implements MigrationInterface" in path.read_text()
    assert adapter.find_migration("add people", up, "DROP TABLE people;").path == path
    assert adapter.find_migration("add people", up.replace("20", "30"), "DROP TABLE people;") is None
    assert typeorm_show(project, typeorm_db)[1] == [cls]  # TypeORM's own status lists it as pending

    plan = adapter.plan_apply(db)
    assert [s.migration for s in plan] == [cls]
    assert "INSERT INTO people VALUES (1, 'a;b');" in plan[0].sql
    before = ledger(typeorm_db)
    assert [o.state for o in adapter.apply(db, plan)] == ["applied"]
    assert ledger(typeorm_db) == before + [(int(m.group(1)), cls)]
    assert typeorm_show(project, typeorm_db) == ([before[0][1], cls], [])
    assert "people" in tables(typeorm_db)
    assert [r.state for r in adapter.history(db).rows] == ["applied", "applied"]

    steps = adapter.plan_rollback(db)
    assert [s.migration for s in steps] == [cls] and "DROP TABLE people" in steps[0].sql
    assert [o.state for o in adapter.rollback(db, steps)] == ["rolled_back"]
    assert ledger(typeorm_db) == before
    assert "people" not in tables(typeorm_db)
    assert not (project / "not-this-one.sqlite3").exists()


def test_to_target_and_steps(tmp_path, fast_ts_node):
    url = f"sqlite:///{tmp_path / 'app' / 'dev.sqlite3'}"
    project = typeorm_project(tmp_path / "app", url, ["alpha", "beta", "gamma"])
    adapter = TypeOrmAdapter(project)
    db = Database(url, "development")
    names = [f.id for f in adapter.migration_files()]
    plan = adapter.plan_apply(db, target=names[1])
    assert [s.migration for s in plan] == names[:2] and "hand-written" in plan[0].sql
    adapter.apply(db, plan)
    assert typeorm_show(project, url) == (names[:2], names[2:])
    adapter.apply(db, adapter.plan_apply(db))
    steps = adapter.plan_rollback(db, steps=2)
    assert [s.migration for s in steps] == [names[2], names[1]]
    adapter.rollback(db, steps)
    assert [n for _, n in ledger(url)] == names[:1]

    one_way = adapter.new_migration("one way", "CREATE TABLE t1 (id int);")
    adapter.apply(db, adapter.plan_apply(db))
    with pytest.raises(UnsupportedOperation, match="no down SQL"):
        adapter.plan_rollback(db)
    assert ledger(url)[-1][1].startswith("OneWay") and one_way.exists()


def test_failing_sql_is_a_masked_tool_error(tmp_path, typeorm_db, fast_ts_node):
    (tmp_path / "data").mkdir()
    register_secret(PASSWORD)
    project = typeorm_project(tmp_path / "app", typeorm_db, ["alpha"])
    adapter = TypeOrmAdapter(project)
    db = Database(typeorm_db, "development")
    adapter.new_migration("broken", "CREATE TABLE ok_table (id int);\nCREATE TABLE broken (id int, id int);")
    with pytest.raises(ToolFailed) as info:
        adapter.apply(db, adapter.plan_apply(db))
    message = str(info.value)
    assert "broken" in message.lower() and PASSWORD not in message
    states = {r.migration: r.state for r in adapter.history(db).rows}
    if db.dialect == "mysql":
        # DDL auto-commits (and commits TypeORM's pending INSERT with it): the message says so, and
        # the tracking table agrees with the schema
        assert "DDL that ran before the error" in message
        assert states["CreateAlpha1700000000000"] == ("applied" if "alpha" in tables(typeorm_db) else "pending")
        assert [s for n, s in states.items() if n.startswith("Broken")] == ["pending"]
    else:  # TypeORM ran all pending in one transaction
        states = sorted(states.values())
        assert states == ["pending", "pending"]
        assert not {"ok_table", "alpha"} & tables(typeorm_db)


def test_javascript_data_source_gets_javascript_migrations(tmp_path):
    """A compiled/JS project (DataSource in data-source.js, migrations/*.js) runs the plain typeorm CLI."""
    from tests.node_projects import require_node_modules

    project = tmp_path / "app"
    (project / "migrations").mkdir(parents=True)
    (project / "node_modules").symlink_to(require_node_modules())
    (project / "data-source.js").write_text(
        'require("reflect-metadata");\nconst { DataSource } = require("typeorm");\n'
        'module.exports = { AppDataSource: new DataSource({ type: "better-sqlite3", database: "./dev.sqlite3",\n'
        '  migrations: ["migrations/*.js"], migrationsTableName: "typeorm_history" }) };\n'
    )
    (project / "migrations" / "1700000000000-First.js").write_text(
        "class First1700000000000 {\n  async up(q) { await q.query('CREATE TABLE first (id int)'); }\n"
        "  async down(q) { await q.query('DROP TABLE first'); }\n}\nmodule.exports = { First1700000000000 };\n"
    )
    url = f"sqlite:///{tmp_path / 'chosen.sqlite3'}"
    adapter = TypeOrmAdapter(project)
    db = Database(url, "development")
    path = adapter.new_migration("add second", "CREATE TABLE second (id int);", "DROP TABLE second;")
    assert path.suffix == ".js" and path.parent == project / "migrations"
    assert adapter.find_migration("add second", "CREATE TABLE second (id int);", "DROP TABLE second;").path == path
    assert [o.state for o in adapter.apply(db, adapter.plan_apply(db))] == ["applied", "applied"]
    assert [n for _, n in ledger(url)] == ["First1700000000000", f"AddSecond{path.name[:13]}"]
    adapter.rollback(db, adapter.plan_rollback(db, steps=2))
    assert ledger(url) == [] and not {"first", "second"} & tables(url)
    assert not (project / "dev.sqlite3").exists()
