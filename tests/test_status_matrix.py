"""``status --envs``: one matrix of migrations x environments and a timeline of applied migrations,
in a terminal (tables) and in a notebook (a coloured matrix and an SVG timeline)."""

from __future__ import annotations

import json

from dbmigrate_magic import api
from tests.helpers import make_project, visible_text

USERS = "-- UP\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n-- DOWN\nDROP TABLE users;\n"
ORDERS = "-- UP\nCREATE TABLE orders (id INTEGER PRIMARY KEY);\n-- DOWN\nDROP TABLE orders;\n"


def three_envs(tmp_path):
    root = make_project(
        tmp_path / "app",
        "sqlite:///dev.db",
        {"20250101000000_users.sql": USERS, "20250102000000_orders.sql": ORDERS},
    )
    (root / ".env.staging").write_text("DATABASE_URL=sqlite:///staging.db\n")
    (root / ".env.production").write_text("DATABASE_URL=sqlite:///prod.db\n")
    api.migrate(root, yes=True)  # development: both
    api.migrate(root, env="staging", to="20250101000000_users.sql", yes=True)  # staging: the first
    return root


def test_matrix_and_timeline_in_a_terminal(tmp_path, run_dbm):
    root = three_envs(tmp_path)
    out = run_dbm("status", "--envs", "development,staging,production", cwd=root)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    header = next(ln for ln in lines if ln.startswith("migration "))
    assert header.split() == ["migration", "development", "staging", "production"]
    users = next(ln for ln in lines if ln.startswith("20250101000000_users.sql "))
    orders = next(ln for ln in lines if ln.startswith("20250102000000_orders.sql "))
    assert users.split()[1:] == ["applied", "applied", "pending"]
    assert orders.split()[1:] == ["applied", "pending", "pending"]
    assert "production (production): 2 pending" in out.stdout
    timeline = lines[lines.index("Applied, oldest first:") + 3 :]
    assert [ln.split()[-2:] for ln in timeline] == [
        ["development", "20250101000000_users.sql"],
        ["development", "20250102000000_orders.sql"],
        ["staging", "20250101000000_users.sql"],
    ]
    gate = run_dbm("status", "--envs", "development,staging", "--exit-code", cwd=root)
    assert gate.returncode == 1  # staging has a pending migration
    data = json.loads(run_dbm("status", "--envs", "development,staging", "--format", "json", cwd=root).stdout)
    assert data["matrix"][1] == {
        "migration": "20250102000000_orders.sql",
        "development": "applied",
        "staging": "pending",
    }


def test_matrix_in_a_notebook(tmp_path, ipython, monkeypatch):
    root = three_envs(tmp_path)
    monkeypatch.chdir(root)
    result = ipython.run_line_magic("dbm", "status --envs development,staging,production")
    markup = result._repr_html_()
    assert "<svg" in markup and markup.count("<circle") == 3  # three applied (environment, migration) pairs
    assert "var(--jp-error-color1" in markup  # production's column is red
    seen = visible_text(markup)
    assert "20250102000000_orders.sql - staging" not in seen  # not applied there: no point on staging's lane
    assert "20250101000000_users.sql - staging" in seen
