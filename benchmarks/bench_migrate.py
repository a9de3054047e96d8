"""Applying N small raw-SQL migrations: ``dbm migrate --yes`` (whole process) against the floor and Alembic.

Floor: the same SQL with its bookkeeping, one migration per transaction, in ONE session:
``psql -f`` on PostgreSQL (BEGIN; sql; INSERT INTO _migrations ...; COMMIT per migration) and
Python's ``sqlite3`` on SQLite (a process running the same loop). Alembic: ``alembic upgrade head``
for an equivalent N-revision project (``op.execute`` of the same SQL, one transaction per
migration like ours). Each figure is the median of several runs on a fresh database.

    python benchmarks/bench_migrate.py [--n 1000] [--runs 3] [--dialects postgresql,sqlite]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("DBM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ENV = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
ENV.pop("DATABASE_URL", None)


def migration_sql(i: int) -> str:
    return f"CREATE TABLE t_{i} (id INTEGER PRIMARY KEY, v VARCHAR(20));\nINSERT INTO t_{i} (id, v) VALUES (1, 'x');"


def filename(i: int) -> str:
    return f"2025{i:010d}_m{i}.sql"


# --- projects ---------------------------------------------------------------------------------
def write_rawsql(root: Path, n: int, url: str) -> None:
    (root / "migrations").mkdir(parents=True)
    (root / ".env").write_text(f"DATABASE_URL={url}\n")
    for i in range(n):
        (root / "migrations" / filename(i)).write_text(f"-- UP\n{migration_sql(i)}\n\n-- DOWN\nDROP TABLE t_{i};\n")


def write_alembic(root: Path, n: int, url: str) -> None:
    versions = root / "alembic" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text(f"[alembic]\nscript_location = alembic\nsqlalchemy.url = {url}\n")
    (root / "alembic" / "env.py").write_text(
        "from alembic import context\nfrom sqlalchemy import engine_from_config, pool\n"
        "config = context.config\n"
        "engine = engine_from_config(config.get_section(config.config_ini_section), prefix='sqlalchemy.', "
        "poolclass=pool.NullPool)\n"
        "with engine.connect() as connection:\n"
        "    context.configure(connection=connection, transaction_per_migration=True)\n"
        "    with context.begin_transaction():\n"
        "        context.run_migrations()\n"
    )
    (root / "alembic" / "script.py.mako").write_text("")
    prev = None
    for i in range(n):
        rev = f"r{i:08d}"
        stmts = migration_sql(i).split(";\n")
        body = "\n".join(f"    op.execute({s.rstrip(';')!r})" for s in stmts)
        (versions / f"{rev}_m{i}.py").write_text(
            f"from alembic import op\nrevision = {rev!r}\ndown_revision = {prev!r}\nbranch_labels = None\n"
            f"depends_on = None\n\ndef upgrade():\n{body}\n\ndef downgrade():\n    op.execute('DROP TABLE t_{i}')\n"
        )
        prev = rev


def psql_script(n: int) -> str:
    lines = [
        "CREATE TABLE _migrations (id SERIAL PRIMARY KEY, filename VARCHAR(255) NOT NULL UNIQUE, "
        "applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), checksum VARCHAR(64));"
    ]
    for i in range(n):
        lines += [
            "BEGIN;",
            migration_sql(i),
            f"INSERT INTO _migrations (filename, applied_at, checksum) VALUES ('{filename(i)}', now(), '{'0' * 64}');",
            "COMMIT;",
        ]
    return "\n".join(lines) + "\n"


SQLITE_FLOOR = r"""
import sqlite3, sys
n, path = int(sys.argv[1]), sys.argv[2]
conn = sqlite3.connect(path, isolation_level=None)
conn.execute("CREATE TABLE _migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, filename TEXT NOT NULL UNIQUE, "
             "applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum TEXT)")
for i in range(n):
    conn.execute("BEGIN")
    conn.execute(f"CREATE TABLE t_{i} (id INTEGER PRIMARY KEY, v VARCHAR(20))")
    conn.execute(f"INSERT INTO t_{i} (id, v) VALUES (1, 'x')")
    conn.execute("INSERT INTO _migrations (filename, applied_at, checksum) VALUES (?, CURRENT_TIMESTAMP, ?)",
                 (f"2025{i:010d}_m{i}.sql", "0" * 64))
    conn.execute("COMMIT")
"""


# --- databases --------------------------------------------------------------------------------
def pg_database():
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    name = f"dbm_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_BASE, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(PG_BASE).set(database=name)

    def drop():
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return url.render_as_string(hide_password=False), url, drop


def timed(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> float:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, env=env or ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return elapsed


def check_applied(url: str, n: int) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as c:
        count = c.execute(text("SELECT COUNT(*) FROM _migrations")).scalar()
    engine.dispose()
    assert count == n, f"expected {n} tracking rows, found {count}"


def run_once(dialect: str, n: int, tmp: Path) -> dict[str, float]:
    times: dict[str, float] = {}
    for kind in ("dbm", "floor", "alembic"):
        work = tmp / f"{dialect}_{kind}_{uuid.uuid4().hex[:6]}"
        work.mkdir()
        if dialect == "postgresql":
            url, parsed, drop = pg_database()
        else:
            url, parsed, drop = f"sqlite:///{work / 'bench.db'}", None, (lambda: None)
        try:
            if kind == "dbm":
                write_rawsql(work, n, url)
                # the preview alone (read files, plan, lint + guard review), then the real run
                times["preview"] = timed([sys.executable, "-m", "dbmigrate_magic", "migrate", "--dry-run"], cwd=work)
                times[kind] = timed([sys.executable, "-m", "dbmigrate_magic", "migrate", "--yes"], cwd=work)
                check_applied(url, n)
            elif kind == "floor" and dialect == "postgresql":
                script = work / "floor.sql"
                script.write_text(psql_script(n))
                env = dict(ENV, PGPASSWORD=parsed.password or "")
                times[kind] = timed(
                    [
                        "psql",
                        "-q",
                        "-X",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-h",
                        parsed.host or "127.0.0.1",
                        "-p",
                        str(parsed.port or 5432),
                        "-U",
                        parsed.username or "postgres",
                        "-d",
                        parsed.database,
                        "-f",
                        str(script),
                    ],
                    env=env,
                )
                check_applied(url, n)
            elif kind == "floor":
                prog = work / "floor.py"
                prog.write_text(SQLITE_FLOOR)
                times[kind] = timed([sys.executable, str(prog), str(n), str(work / "bench.db")])
                check_applied(url, n)
            else:
                write_alembic(work, n, url)
                times[kind] = timed([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=work)
        finally:
            drop()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dialects", default="postgresql,sqlite")
    args = parser.parse_args()
    print(f"Applying {args.n} small migrations; median of {args.runs} runs (seconds, whole processes)")
    with tempfile.TemporaryDirectory(prefix="dbm_bench_") as tmp:
        for dialect in args.dialects.split(","):
            runs = [run_once(dialect, args.n, Path(tmp)) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            floor_name = "psql, one session" if dialect == "postgresql" else "python sqlite3"
            print(f"\n{dialect}:")
            print(f"  floor ({floor_name}): {med['floor']:.3f}s")
            print(f"  dbm migrate --yes:      {med['dbm']:.3f}s   {med['dbm'] / med['floor']:.2f}x floor")
            print(
                f"    (dbm migrate --dry-run alone, i.e. process start + plan + lint/guard preview: "
                f"{med['preview']:.3f}s)"
            )
            print(
                f"  alembic upgrade head:   {med['alembic']:.3f}s   {med['alembic'] / med['floor']:.2f}x floor   "
                f"(dbm is {med['alembic'] / med['dbm']:.2f}x faster than alembic)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
