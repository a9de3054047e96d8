"""``dbm status`` on Alembic projects upgraded by the real ``alembic`` CLI, on all three databases,
checked against ``alembic history`` / ``alembic current`` and Alembic's own revision map."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from dbmigrate_magic.adapters.alembic.adapter import AlembicAdapter
from tests import alembic_project as ap
from tests.helpers import status_json
from tests.test_alembic_graph import assert_topological, branchy_project


def by_state(data: dict) -> dict[str, set[str]]:
    states: dict[str, set[str]] = {}
    for row in data["migrations"]:
        states.setdefault(row["state"], set()).add(row["migration"])
    return states


def check_against_alembic(root, data: dict) -> None:
    heads = ap.current_heads(root)
    listed = [r["migration"] for r in data["migrations"]]
    assert sorted(listed) == sorted(ap.history_revisions(root))
    assert set((data["summary"]["current"] or "").split(", ")) - {""} == heads
    applied = ap.alembic_applied(root, heads)
    states = by_state(data)
    assert states.get("applied", set()) == applied
    assert states.get("pending", set()) == set(listed) - applied
    for row in data["migrations"]:
        assert row["applied_at"] is None and row["checksum_ok"] is None  # Alembic records neither
        assert row["is_current"] == (row["migration"] in heads)


def test_status_follows_alembic_through_branches_merges_and_edits(db_url, tmp_path, run_dbm):
    root = branchy_project(tmp_path / "proj", db_url)

    data = status_json(run_dbm, root)  # nothing applied: no table, and we create none
    assert not data["summary"]["table_exists"]
    assert set(by_state(data)) == {"pending"}
    engine = create_engine(db_url, poolclass=NullPool)
    assert not inspect(engine).has_table("alembic_version")

    ap.cli(root, "upgrade", "b2")
    ap.cli(root, "upgrade", "c1")  # two heads recorded in alembic_version
    data = status_json(run_dbm, root)
    check_against_alembic(root, data)
    assert data["summary"]["position"] == "behind"
    assert any("database is at 2 heads" in n for n in data["summary"]["notes"])
    assert any("3 heads in the revision files" in n for n in data["summary"]["notes"])
    rows = {r["migration"]: r for r in data["migrations"]}
    assert rows["m1"]["down_revision"] == "b2, c1"
    assert rows["b1"]["branch_labels"] == "bees"
    assert rows["e1"]["is_head"] and not rows["d1"]["is_head"]
    assert_topological(AlembicAdapter(root).graph())
    order = [r["migration"] for r in data["migrations"]]
    assert order.index("m1") > max(order.index("b2"), order.index("c1"))

    ap.cli(root, "upgrade", "heads")
    data = status_json(run_dbm, root)
    check_against_alembic(root, data)
    assert data["summary"]["position"] == "up to date"

    # edit an applied file: Alembic keeps no checksum, so it stays applied with checksum_ok null
    e1 = next((root / "alembic" / "versions").glob("e1_*.py"))
    ap.set_bodies(e1, "SELECT 1", "SELECT 2")
    assert by_state(status_json(run_dbm, root)) == {"applied": set(ap.history_revisions(root))}

    # add one: pending
    ap.revision(root, "h1", "new one", head="f1")
    data = status_json(run_dbm, root)
    assert by_state(data)["pending"] == {"h1"}

    # delete a recorded head's file: missing (recorded in alembic_version, no file)
    e1.unlink()
    data = status_json(run_dbm, root)
    rows = {r["migration"]: r for r in data["migrations"]}
    assert rows["e1"]["state"] == "missing" and rows["e1"]["file"] is None
    assert rows["d1"]["state"] == "applied"  # still an ancestor of another recorded head
    assert data["summary"]["position"] == "diverged"  # behind (h1) and ahead (e1)
    engine.dispose()


def test_unreachable_database_reports_unknown(tmp_path, run_dbm):
    root = branchy_project(tmp_path / "proj", "postgresql://nobody@127.0.0.1:1/nowhere")
    out = run_dbm("status", root, "--format", "json")
    assert out.returncode == 2, out.stderr  # a status that could not read the database is never a pass
    data = json.loads(out.stdout)
    assert set(by_state(data)) == {"unknown"}
    assert data["summary"]["error"]
    assert "up to date" not in out.stdout
