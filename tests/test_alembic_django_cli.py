"""The verbs end to end (CLI and %%dbm) on Alembic and Django projects, judged by the tools' own
commands: what we write, the tool lists and applies; what we apply, the tool sees as applied."""

from __future__ import annotations

import json

from tests import alembic_project as ap
from tests import django_project as dj
from tests.helpers import tables

CELL = (
    "-- UP\nCREATE TABLE orders (id int);\nCREATE TABLE order_lines (id int);\n"
    "-- DOWN\nDROP TABLE order_lines;\nDROP TABLE orders;\n"
)


def test_alembic_new_migrate_cell_rollback(tmp_path, run_dbm, ipython, sqlite_url):
    root = ap.init(tmp_path / "proj", sqlite_url)
    out = run_dbm("new", "create_users", "--project", root)
    assert out.returncode == 0, out.stderr
    assert len(ap.history_revisions(root)) == 1  # Alembic lists what we wrote

    out = run_dbm("migrate", root, "--dry-run")
    assert out.returncode == 0, out.stderr + out.stdout
    assert ap.current_heads(root) == set()
    out = run_dbm("migrate", root, "--yes")
    assert out.returncode == 0, out.stderr + out.stdout
    assert ap.current_heads(root) == set(ap.history_revisions(root))

    for _ in range(2):  # a re-run runbook writes and applies nothing twice
        ipython.run_cell_magic("dbm", f"migrate --project {root} --name add_orders --yes", CELL)
    revisions = ap.history_revisions(root)
    assert len(revisions) == 2
    assert {"orders", "order_lines"} <= tables(sqlite_url)  # two statements, two op.execute calls
    assert ap.current_heads(root) == {revisions[0]}
    data = json.loads(run_dbm("status", root, "--format", "json").stdout)
    assert [r["state"] for r in data["migrations"]] == ["applied", "applied"]

    out = run_dbm("rollback", root, "--yes")
    assert out.returncode == 0, out.stderr + out.stdout
    assert ap.current_heads(root) == {revisions[1]}
    assert not {"orders", "order_lines"} & tables(sqlite_url)
    ap.cli(root, "upgrade", "head")  # Alembic applies what we wrote; our status agrees
    data = json.loads(run_dbm("status", root, "--format", "json").stdout)
    assert data["summary"]["position"] == "up to date"


def test_django_new_migrate_cell_rollback(tmp_path, run_dbm, ipython, sqlite_url):
    from tests.test_django_status import build

    root = build(tmp_path / "proj", sqlite_url)
    out = run_dbm("new", "add_notes", "--project", root)
    assert out.returncode == 2 and "--app" in out.stderr  # two apps: the user must choose
    out = run_dbm("new", "add_notes", "--project", root, "--app", "shop")
    assert out.returncode == 0, out.stderr
    plan = dj.showmigrations_plan(root, sqlite_url)
    assert (False, "shop.0004_add_notes") in plan  # Django lists what we wrote

    out = run_dbm("migrate", root, "--yes")
    assert out.returncode == 0, out.stderr + out.stdout
    assert all(done for done, _ in dj.showmigrations_plan(root, sqlite_url))

    for _ in range(2):
        ipython.run_cell_magic("dbm", f"migrate --project {root} --app blog --name add_orders --yes", CELL)
    plan = dj.showmigrations_plan(root, sqlite_url)
    assert (True, "blog.0003_add_orders") in plan
    assert not (root / "blog" / "migrations" / "0004_add_orders.py").exists()

    out = run_dbm("rollback", root, "--yes")
    assert out.returncode == 0, out.stderr + out.stdout
    assert (False, "blog.0003_add_orders") in dj.showmigrations_plan(root, sqlite_url)
    dj.manage(root, sqlite_url, "migrate")  # Django applies it again; our status agrees
    data = json.loads(run_dbm("status", root, "--format", "json").stdout)
    assert data["summary"]["position"] == "up to date"
