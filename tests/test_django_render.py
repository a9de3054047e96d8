"""The SQL dbm previews for Django is ``manage.py sqlmigrate``'s own output, migration by migration,
forwards and backwards, although all of it is rendered in one Django process over one loader (the
state before each migration carried along instead of rebuilt for each one)."""

from __future__ import annotations

import pytest

from tests import django_project as dj
from tests.test_django_status import build

#: contrib migrations whose SQL depends on the state before them (SQLite rebuilds the table)
CONTRIB = {
    "auth.0001_initial",
    "auth.0002_alter_permission_name_max_length",
    "contenttypes.0002_remove_content_type_name",
}
#: what the preview shows for a migration without operations (sqlmigrate prints nothing)
NO_SQL = "-- sqlmigrate: no SQL"


def _project(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    root = build(tmp_path / "proj", url)
    prev = "0003_add_stock"
    for i in range(4, 9):
        name = f"{i:04d}_more"
        dj.migration(root, "shop", name, [("shop", prev)], f"CREATE TABLE more{i} (id int)", f"DROP TABLE more{i}")
        prev = name
    return root, url


def _sqlmigrate(root, url, migration: str, *flags: str) -> str:
    app, name = migration.split(".")
    return dj.manage(root, url, "sqlmigrate", app, name, *flags).stdout


def test_preview_sql_is_sqlmigrate_forwards_and_backwards(tmp_path):
    from dbmigrate_magic import api

    root, url = _project(tmp_path)
    steps = api.migrate(root, env=url, dry_run=True).preview.steps
    checked = [s for s in steps if s.migration.split(".")[0] in ("shop", "blog") or s.migration in CONTRIB]
    assert len(checked) == 10 + len(CONTRIB)
    for step in checked:
        assert step.sql == _sqlmigrate(root, url, step.migration), step.migration

    api.migrate(root, env=url, yes=True)
    back = api.rollback(root, env=url, to="shop.zero", dry_run=True).preview.steps
    assert len(back) == 10 and {s.migration.split(".")[0] for s in back} == {"shop", "blog"}  # blog needs shop
    for step in back:
        assert step.sql == _sqlmigrate(root, url, step.migration, "--backwards"), step.migration


def test_irreversible_migration_in_the_middle_is_named(tmp_path, run_dbm):
    root, url = _project(tmp_path)
    path = root / "shop" / "migrations" / "0006_more.py"
    path.write_text(path.read_text().replace(", 'DROP TABLE more6')", ")"))  # RunSQL without reverse_sql
    out = run_dbm("migrate", root, "--yes")
    assert out.returncode == 0, out.stderr + out.stdout
    out = run_dbm("rollback", root, "--to", "shop.zero", "--dry-run")
    assert out.returncode != 0
    assert "shop.0006_more cannot be reversed" in out.stderr + out.stdout


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_model_migrations_across_apps_are_sqlmigrate(tmp_path, engine, request):
    """Models in two apps pointing at each other, a branch and its merge, a primary key altered
    under foreign keys, RunSQL and RunPython: each migration's SQL depends on the state before it
    (on SQLite, field changes rebuild the table, and its column order is the models' rendering's)."""
    from dbmigrate_magic import api

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}" if engine == "sqlite" else request.getfixturevalue("pg_url")
    root = tmp_path / "proj"
    written = dj.models_project(root, url, rounds=3)
    steps = {s.migration: s.sql for s in api.migrate(root, env=url, dry_run=True).preview.steps}
    assert set(written) <= set(steps)
    expected = dj.sqlmigrate_each(root, url, [(*m.split("."), False) for m in written])
    for migration in written:
        assert steps[migration] == (expected[migration] or NO_SQL), migration

    api.migrate(root, env=url, yes=True)
    back = api.rollback(root, env=url, to="catalog.zero", dry_run=True).preview.steps
    assert {s.migration for s in back} == set(written)  # orders' migrations depend on catalog's
    expected = dj.sqlmigrate_each(root, url, [(*s.migration.split("."), True) for s in back])
    for step in back:
        assert step.sql == (expected[step.migration] or NO_SQL), step.migration
