"""Eight runners at once on one database: every Prisma/Drizzle migration is applied exactly once."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from dbmigrate_magic.adapters.drizzle.adapter import DrizzleAdapter
from dbmigrate_magic.adapters.prisma.adapter import PrismaAdapter

from .prisma_format import write_project

RUNNER = """
import sys
from pathlib import Path
from dbmigrate_magic.adapters.{module}.adapter import {cls} as A
from dbmigrate_magic.db import Database
adapter, db = A(Path(sys.argv[1])), Database(sys.argv[2])
outcomes = adapter.apply(db, adapter.plan_apply(db))
bad = [o for o in outcomes if o.state == "failed"]
print(len([o for o in outcomes if o.state == "applied"]))
sys.exit(1 if bad else 0)
"""
ROUNDS, RUNNERS, PER_ROUND = 2, 8, 3


def _write_drizzle(root, url):
    (root / "drizzle.config.ts").write_text(
        'export default { dialect: "%s", out: "./drizzle" };\n'
        % ("postgresql" if url.startswith("postgresql") else "sqlite")
    )
    return DrizzleAdapter(root)


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["prisma", "drizzle"])
@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_concurrent_runners_apply_each_migration_once(tool, kind, tmp_path, request):
    url = request.getfixturevalue("sqlite_url" if kind == "sqlite" else "pg_url")
    root = tmp_path / "app"
    root.mkdir()
    if tool == "prisma":
        write_project(root, "sqlite" if kind == "sqlite" else "postgresql", url)
        adapter, module, cls = PrismaAdapter(root), "prisma", "PrismaAdapter"
        count_sql = "SELECT count(*) FROM _prisma_migrations"
    else:
        adapter, module, cls = _write_drizzle(root, url), "drizzle", "DrizzleAdapter"
        count_sql = (
            "SELECT count(*) FROM drizzle.__drizzle_migrations"
            if kind == "postgres"
            else "SELECT count(*) FROM __drizzle_migrations"
        )
    code = RUNNER.format(module=module, cls=cls)
    for round_ in range(ROUNDS):
        for i in range(PER_ROUND):
            # a counter row per migration: applying one twice would add a second row or fail
            n = round_ * PER_ROUND + i
            adapter.new_migration(f"m{n}", f"CREATE TABLE t{n} (id INT);\nINSERT INTO t{n} VALUES ({n});")
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", code, str(root), url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(RUNNERS)
        ]
        results = [(p.wait(120), *p.communicate()) for p in procs]
        assert all(rc == 0 for rc, _, _ in results), [err[-800:] for rc, _, err in results if rc]
        assert sum(int(out.strip().splitlines()[-1]) for _, out, _ in results) == PER_ROUND
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text(count_sql)).scalar() == ROUNDS * PER_ROUND
        for n in range(ROUNDS * PER_ROUND):
            assert conn.execute(text(f"SELECT count(*) FROM t{n}")).scalar() == 1
    engine.dispose()
    from dbmigrate_magic.db import Database

    assert all(r.state == "applied" for r in adapter.history(Database(url)).rows)
