"""Schema diff speed on PostgreSQL: ``dbm diff`` against ``migra`` on the same pair of databases, in
the same run, whole-process times (median of several runs), plus two ``pg_dump --schema-only`` runs
as the floor (reading the catalogs), and how diff time grows from 50 to 500 to 2,000 tables.

Each table: 10 columns, 2 indexes, 1 foreign key. The target changes ~10% of the tables (a column
added, a type widened, an index replaced) and adds 20 new ones. The commands take turns run by run
(dbm, migra, pg_dump, dbm, ...), so a busy machine slows all of them alike and the ratios hold.

Usage: python benchmarks/bench_diff.py [--sizes 50,500,2000] [--runs 5] [--migra PATH] [--reflect]
migra lives in its own virtualenv (it needs psycopg2 and sqlbag): /work/bench-venv/bin/migra by
default, or set DBM_MIGRA. ``--reflect`` also times, in process, reading one side with SQLAlchemy's
Inspector bulk API (``get_multi_columns`` & co.) against dbm's catalog queries (docs/schema_diff.md,
"Why catalog queries").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

REPO = Path(__file__).resolve().parent.parent
PG = os.environ.get("DBM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MIGRA = os.environ.get("DBM_MIGRA", "/work/bench-venv/bin/migra")


def table_sql(i: int, changed: bool = False) -> str:
    parent = f"REFERENCES t{i - 1}(id)" if i > 0 else ""
    cols = [
        "id bigserial PRIMARY KEY",
        f"parent_id bigint {parent}",
        "name text NOT NULL",
        "email varchar(200)" if changed else "email varchar(100)",
        "created_at timestamptz NOT NULL DEFAULT now()",
        "amount numeric(12, 2) DEFAULT 0",
        "active boolean NOT NULL DEFAULT true",
        "payload jsonb",
        "code integer CHECK (code > 0)",
        "note text",
    ]
    if changed:
        cols.append("extra_flag boolean")
    out = [f"CREATE TABLE t{i} (\n  " + ",\n  ".join(cols) + "\n);", f"CREATE INDEX t{i}_parent ON t{i} (parent_id);"]
    out.append(
        f"CREATE INDEX t{i}_name_v2 ON t{i} (name, email);" if changed else f"CREATE INDEX t{i}_name ON t{i} (name);"
    )
    return "\n".join(out)


def schema(n: int, target: bool) -> list[str]:
    parts = [table_sql(i, changed=target and i % 10 == 3) for i in range(n)]
    if target:
        parts += [table_sql(n + j).replace(f"REFERENCES t{n + j - 1}(id)", "REFERENCES t0(id)") for j in range(20)]
    return parts


def admin():
    return create_engine(PG, poolclass=NullPool, isolation_level="AUTOCOMMIT")


def create(parts: list[str]) -> str:
    name = f"dbm_bench_{uuid.uuid4().hex[:10]}"
    with admin().connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(PG).set(database=name).render_as_string(hide_password=False)
    eng = create_engine(url, poolclass=NullPool)
    for start in range(0, len(parts), 200):  # one transaction per 200 tables stays within the lock table
        with eng.begin() as c:
            c.exec_driver_sql("\n".join(parts[start : start + 200]))
    eng.dispose()
    return url


def drop(url: str) -> None:
    with admin().connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"))


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def race(cmds: dict[str, list[str]], runs: int, ok=(0, 2)) -> tuple[dict[str, float], dict[str, str]]:
    """Median wall time and last stdout of each command, the commands taking turns run by run."""
    times: dict[str, list[float]] = {k: [] for k in cmds}
    out: dict[str, str] = {}
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for _ in range(runs):
        for name, cmd in cmds.items():
            t = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, env=env)
            times[name].append(time.perf_counter() - t)
            if p.returncode not in ok:
                raise SystemExit(f"{cmd[0]} failed ({p.returncode}): {p.stderr[-2000:]}")
            out[name] = p.stdout
    return {k: statistics.median(v) for k, v in times.items()}, out


def in_process(a: str, b: str, runs: int) -> float:
    sys.path.insert(0, str(REPO))
    from dbmigrate_magic.db import Database
    from dbmigrate_magic.schema import diff, introspect

    times = []
    for _ in range(runs):
        t = time.perf_counter()
        da, db = Database(a), Database(b)
        diff(introspect(da), introspect(db)).sql(unsafe=True)
        times.append(time.perf_counter() - t)
        da.dispose()
        db.dispose()
    return statistics.median(times)


def reflect(a: str, runs: int) -> None:
    """One side read in process: dbm's catalog queries against SQLAlchemy's Inspector bulk API."""
    sys.path.insert(0, str(REPO))
    from sqlalchemy import inspect

    from dbmigrate_magic.db import Database
    from dbmigrate_magic.schema import introspect

    calls = (
        "get_multi_columns",
        "get_multi_pk_constraint",
        "get_multi_foreign_keys",
        "get_multi_indexes",
        "get_multi_unique_constraints",
        "get_multi_check_constraints",
    )
    eng = create_engine(a, poolclass=NullPool)  # a new connection (cold catalog caches) each run, as in the CLI

    def sqlalchemy_bulk() -> None:
        with eng.connect() as conn:
            insp = inspect(conn)
            for name in calls:
                getattr(insp, name)(schema="public")

    def catalog() -> None:
        db = Database(a)
        introspect(db)
        db.dispose()

    readers = {
        "dbm catalog queries (every object kind, model built)": catalog,
        "SQLAlchemy Inspector get_multi_* (the 6 calls)": sqlalchemy_bulk,
    }
    times: dict[str, list[float]] = {k: [] for k in readers}
    for fn in readers.values():
        fn()  # imports and first-use caches out of the way
    for _ in range(runs):  # taking turns, as in race()
        for label, fn in readers.items():
            t = time.perf_counter()
            fn()
            times[label].append(time.perf_counter() - t)
    for label, ts in times.items():
        print(f"    one side, in process: {label:<52} {statistics.median(ts):.3f}s")
    eng.dispose()
    imports = {
        "psycopg": [sys.executable, "-c", "import psycopg"],
        "+ SQLAlchemy": [
            sys.executable,
            "-c",
            "import psycopg, sqlalchemy.dialects.postgresql.psycopg, sqlalchemy.engine.reflection",
        ],
    }
    med, _ = race(imports, runs)
    print(
        f"    import in a new process: psycopg {med['psycopg']:.3f}s, with SQLAlchemy's dialect and Inspector "
        f"{med['+ SQLAlchemy']:.3f}s"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="50,500,2000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--migra", default=MIGRA)
    ap.add_argument(
        "--reflect",
        action="store_true",
        help="also time reading one side with SQLAlchemy's Inspector bulk API vs dbm's catalog queries",
    )
    args = ap.parse_args()
    have_migra = Path(args.migra).exists()
    if not have_migra:
        print(f"migra not found at {args.migra}: comparing against pg_dump only", file=sys.stderr)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; median of {args.runs} runs")
    print(
        f"{'tables':>7} {'dbm diff':>9} {'(in-proc)':>9} {'migra':>8} {'2x pg_dump':>10} {'migra/dbm':>9} "
        f"{'dbm/pg_dump':>11} {'stmts':>6}"
    )
    for n in (int(x) for x in args.sizes.split(",")):
        a, b = create(schema(n, False)), create(schema(n, True))
        try:
            cmds = {
                "dbm": [sys.executable, "-m", "dbmigrate_magic", "diff", a, b, "--sql", "--unsafe"],
                "dump_a": ["pg_dump", "--schema-only", libpq(a)],
                "dump_b": ["pg_dump", "--schema-only", libpq(b)],
            }
            if have_migra:
                m = [
                    make_url(u).set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
                    for u in (a, b)
                ]
                cmds["migra"] = [args.migra, "--unsafe", *m]
            med, out = race(cmds, args.runs)
            ours, dump, migra = med["dbm"], med["dump_a"] + med["dump_b"], med.get("migra", float("nan"))
            inproc = in_process(a, b, args.runs)
            sql = out["dbm"]
            stmts = sql.count(";\n") + sql.rstrip().endswith(";")
            print(
                f"{n:>7} {ours:>8.3f}s {inproc:>8.3f}s {migra:>7.3f}s {dump:>9.3f}s {migra / ours:>8.1f}x "
                f"{ours / dump:>10.2f}x {stmts:>6}"
            )
            if args.reflect:
                reflect(a, args.runs)
        finally:
            drop(a)
            drop(b)


if __name__ == "__main__":
    main()
