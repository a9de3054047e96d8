"""Every rewrite of `dbm plan`, written in each tool's project on real PostgreSQL and carried out
with the real tools (migrations with `migrate --to`, backfills with `backfill`): the steps end at
the schema the naive statement gives, with no rows lost (checksums), and roll back to the start.
A step that must run outside a transaction carries the tool's own marker; the others do not.

Coverage: raw SQL and Alembic run every case. Django and Knex run the cases whose plans take
several migrations (type, rename, not_null_column, drop_column, unique, foreign_key; unique has the
step outside a transaction): each Django migration is its own `manage.py` process, about 1 s, so a
Django case took 4-10 s alone and 9-28 s on a loaded 2-core machine, and the whole 44-test grid
3.5 minutes there. The cases left out (type_primary_key, type_using, index, check, set_not_null)
repeat the statement shapes of those kept (a dollar-quoted sync trigger, NOT VALID then VALIDATE,
CONCURRENTLY); all 44 passed when the grid was cut to this size."""

from __future__ import annotations

import pytest

from conftest import new_database
from dbmigrate_magic import api
from tests.helpers import execute, query
from tests.online_support import (
    CASES,
    OUTSIDE_TRANSACTION,
    PROJECTS,
    SETUP,
    checksum,
    pg_schema,
    plan_states,
    run_plan,
)

MULTI_STEP = ("type", "rename", "not_null_column", "drop_column", "unique", "foreign_key")
GRID = {"raw_sql": sorted(CASES), "alembic": sorted(CASES), "django": MULTI_STEP, "knex": MULTI_STEP}


def _grid() -> list:
    return [
        pytest.param(tool, case, id=f"{tool}-{case}", marks=[pytest.mark.node] if tool == "knex" else [])
        for tool, cases in GRID.items()
        for case in cases
    ]


def _check_markers(root, tool: str, result) -> None:
    """The tool's outside-a-transaction marker is in exactly the files of the steps that need it."""
    steps = [s for c in result.changes for s in c.plan.steps if s.is_migration]
    assert len(steps) == len(result.written)
    for step, file in zip(steps, result.written):
        assert (OUTSIDE_TRANSACTION[tool] in (root / file).read_text()) == (not step.transactional), file


@pytest.mark.parametrize(("tool", "case"), _grid())
def test_plan_steps_reach_the_naive_schema_and_roll_back(tool, case, pg_url, tmp_path):
    statement, family, data_column = CASES[case]
    naive_url, drop_naive = new_database("postgres")
    try:
        for url in (pg_url, naive_url):
            execute(url, *SETUP)
        execute(naive_url, statement)
        before = pg_schema(pg_url, "t")
        root = PROJECTS[tool](tmp_path / tool, pg_url)
        result = api.plan(sql=statement, project=str(root), env=pg_url, write=True)
        assert [rw.family for rw in result.changes[0].plan.rewrites] == [family]
        _check_markers(root, tool, result)
        run_plan(root, pg_url, result)
        assert plan_states(root, pg_url, result) == ["applied"] * len(result.written)
        if case == "not_null_column":  # a volatile default: values differ by nature; every row has one
            assert query(pg_url, "SELECT count(*) FROM t WHERE created IS NULL")[0][0] == 0
        elif data_column is not None:
            assert checksum(pg_url, data_column, "t") == checksum(naive_url, data_column, "t")
        assert checksum(pg_url, "id", "t") == checksum(naive_url, "id", "t")
        assert pg_schema(pg_url, "t") == pg_schema(naive_url, "t")
        out = api.rollback(str(root), env=pg_url, steps=len(result.written), yes=True)
        assert out.status == "rolled back", out.to_text()
        assert pg_schema(pg_url, "t") == before
    finally:
        drop_naive()
