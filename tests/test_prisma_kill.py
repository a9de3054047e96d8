"""kill -9 a Prisma runner mid-apply: on PostgreSQL/SQLite the tables and ``_prisma_migrations``
always agree; on MariaDB the interrupted migration is ``failed`` and ``resolve`` recovers it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, inspect, text

from dbmigrate_magic.adapters.prisma.adapter import PrismaAdapter
from dbmigrate_magic.db import Database
from tests.helpers import dialect

from .prisma_format import write_project

RUNNER = """
import sys
from pathlib import Path
from dbmigrate_magic.adapters.prisma.adapter import PrismaAdapter
from dbmigrate_magic.db import Database
a, db = PrismaAdapter(Path(sys.argv[1])), Database(sys.argv[2])
print("started", flush=True)
a.apply(db, a.plan_apply(db))
"""
SLEEP = {
    "postgresql": "SELECT pg_sleep(0.15);",
    "mysql": "SELECT SLEEP(0.15);",
    # SQLite has no sleep: a recursive count that takes a comparable moment
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT max(x) FROM c;",
}
TRIALS, MIGRATIONS = 6, 6


def wait_for_rows(url: str, base: int, count: int, proc: subprocess.Popen) -> None:
    """Until the runner has recorded ``count`` more migrations than earlier trials (bounded)."""
    engine = create_engine(url)
    try:
        for _ in range(600):
            if proc.poll() is not None:
                return
            try:
                with engine.connect() as conn:
                    done = conn.execute(
                        text(
                            "SELECT count(*) FROM _prisma_migrations WHERE migration_name LIKE "
                            "'%_m%' AND finished_at IS NOT NULL"
                        )
                    ).scalar()
            except Exception:  # table not there yet, or SQLite busy for a moment
                done = None
            if done is not None and done - base >= count:
                return
            time.sleep(0.02)
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.serial
def test_kill_during_apply_never_loses_track(tmp_path, db_url):
    kind = dialect(db_url)
    rng = random.Random(7)
    seen: set[str] = set()
    for trial in range(TRIALS):
        root = tmp_path / f"t{trial}"
        root.mkdir()
        write_project(root, {"postgresql": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}[kind], db_url)
        adapter = PrismaAdapter(root)
        for i in range(MIGRATIONS):
            # names carry the trial: trials share the database and may fall in the same second
            adapter.new_migration(
                f"t{trial}_m{i}",
                f"CREATE TABLE k{trial}_{i} (id INT);\n{SLEEP[kind]}\nCREATE TABLE k{trial}_{i}_b (id INT);",
            )
        proc = subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(root), db_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "started"
        wait_for_rows(db_url, trial * MIGRATIONS, rng.randrange(0, MIGRATIONS - 1), proc)
        time.sleep(rng.uniform(0.0, 0.3))  # somewhere inside the next migration
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        db = Database(db_url)
        engine = create_engine(db_url)
        with engine.connect() as conn:
            existing = set(inspect(conn).get_table_names())
        engine.dispose()
        mine = {f.id for f in adapter.migration_files()}  # earlier trials' rows share this table
        for row in (r for r in adapter.history(db).rows if r.migration in mine):
            i = int(row.migration.rsplit("_m", 1)[1])
            both = {f"k{trial}_{i}", f"k{trial}_{i}_b"}
            seen.add(row.state)
            if row.state == "applied":
                assert both <= existing, (trial, row)
            elif row.state == "pending":
                assert not both & existing, (trial, row)  # nothing half-done behind a pending row
            else:
                assert kind == "mysql" and row.state == "failed", (trial, row)
                # MariaDB auto-commits DDL: repair by hand, then resolve as Prisma asks
                engine = create_engine(db_url)
                with engine.begin() as conn:
                    for name in both & existing:
                        conn.execute(text(f"DROP TABLE {name}"))
                engine.dispose()
                adapter.resolve(db, row.migration, "rolled_back")
        outcomes = adapter.apply(db, adapter.plan_apply(db))  # a fresh run finishes the job
        assert all(o.state == "applied" for o in outcomes)
        assert all(r.state == "applied" for r in adapter.history(db).rows if r.migration in mine)
    assert {"applied", "pending"} <= seen  # the kills landed mid-run, not before or after it
