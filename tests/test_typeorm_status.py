"""TypeORM status read from its migrations table, checked against the real `typeorm migration:show`."""

from __future__ import annotations

import pytest

from tests.helpers import status_json
from tests.node_projects import TYPEORM_MIGRATION, typeorm, typeorm_project, typeorm_show

pytestmark = pytest.mark.node


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def typeorm_db(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app' / 'dev.sqlite3'}"
    return request.getfixturevalue("pg_url" if request.param == "postgres" else "mysql_url")


def test_status_agrees_with_typeorm_migration_show(tmp_path, typeorm_db, run_dbm):
    project = typeorm_project(tmp_path / "app", typeorm_db, ["alpha", "beta"])
    before = status_json(run_dbm, project)
    assert before["summary"]["table_exists"] is False
    assert before["summary"]["table"] == "typeorm_history"  # migrationsTableName from the DataSource
    assert [r["state"] for r in before["migrations"]] == ["pending", "pending"]

    typeorm(project, typeorm_db, "migration:run")
    folder = project / "src" / "migrations"
    # a migration whose class name sorts first alphabetically but last by timestamp
    (folder / "1800000000000-AddZeta.ts").write_text(
        TYPEORM_MIGRATION % {"cls": "AddZeta1800000000000", "table": "zeta"}
    )
    applied, pending = typeorm_show(project, typeorm_db)
    assert len(applied) == 2 and pending == ["AddZeta1800000000000"]

    data = status_json(run_dbm, project)
    rows = data["migrations"]
    assert [r["migration"] for r in rows] == applied + pending  # TypeORM's order: by timestamp
    assert [r["state"] for r in rows] == ["applied", "applied", "pending"]
    assert [r["timestamp"] for r in rows] == [int(n[-13:]) for n in applied + pending]
    assert all(r["applied_at"] is None and r["checksum_ok"] is None for r in rows)  # TypeORM records neither
    assert rows[0]["file"] == "src/migrations/1700000000000-CreateAlpha.ts"
    assert data["summary"]["current"] == applied[-1]
    assert data["summary"]["position"] == "behind"

    # edit an applied file, delete one, the pending one stays
    first = folder / "1700000000000-CreateAlpha.ts"
    first.write_text(first.read_text() + "\n// edited after it ran\n")
    (folder / "1700000001000-CreateBeta.ts").unlink()
    rows = {r["migration"]: r for r in status_json(run_dbm, project)["migrations"]}
    assert rows[applied[0]]["state"] == "applied" and rows[applied[0]]["checksum_ok"] is None
    assert rows[applied[1]]["state"] == "missing" and rows[applied[1]]["file"] is None
    assert rows["AddZeta1800000000000"]["state"] == "pending"
    assert typeorm_show(project, typeorm_db)[1] == ["AddZeta1800000000000"]
