"""Backup speed: ``dbm backup`` against the client tool a user would run by hand, same data, same run.

    python benchmarks/bench_backup.py [--rows 50000] [--runs 5]

Per database: a table of ``--rows`` rows (text, a 200-byte blob, a number) is dumped by
- PostgreSQL: ``python -m dbmigrate_magic backup`` vs ``pg_dump -Fc``;
- MariaDB:    ``python -m dbmigrate_magic backup`` vs ``mariadb-dump --single-transaction``;
- SQLite:     ``python -m dbmigrate_magic backup`` vs ``sqlite3 SRC ".backup DST"``.
Whole-process wall times, median of ``--runs``; the ratio is what the manifest, checksum and
Python start-up cost on top of the tool itself. Also the in-process ``api.backup`` time.
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

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PG = os.environ.get("DBM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MYSQL = os.environ.get("DBM_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def fill(url: str, rows: int) -> None:
    engine = create_engine(url, poolclass=NullPool)
    blob = {"postgresql": "BYTEA", "mysql": "LONGBLOB", "sqlite": "BLOB"}[engine.dialect.name]
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100), data {blob}, n INT)"))
        batch = 5000
        for start in range(0, rows, batch):
            conn.execute(
                text("INSERT INTO items VALUES (:i, :s, :b, :n)"),
                [
                    {"i": i, "s": f"item {i} ünïcode", "b": os.urandom(200), "n": i * 7}
                    for i in range(start, min(rows, start + batch))
                ],
            )
    engine.dispose()


def server_db(base: str) -> tuple[str, callable]:
    name = f"dbm_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))

    def drop():
        with admin.connect() as conn:
            force = " WITH (FORCE)" if base.startswith("postgresql") else ""
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}{force}"))
        admin.dispose()

    return make_url(base).set(database=name).render_as_string(hide_password=False), drop


def dbm_cmd(project: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "dbmigrate_magic", "backup", "--project", str(project), "--env", url]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    from dbmigrate_magic import api

    work = Path(tempfile.mkdtemp(prefix="dbm_bench_backup_"))
    print(f"{args.rows:,} rows, median of {args.runs} runs (seconds)")
    print(f"{'database':10} {'dbm backup':>11} {'tool':>8} {'ratio':>6} {'api.backup':>11}  tool")
    cases = []
    sqlite_url = f"sqlite:///{work / 'src.db'}"
    fill(sqlite_url, args.rows)
    cases.append(
        (
            "sqlite",
            sqlite_url,
            None,
            lambda: subprocess.run(["sqlite3", str(work / "src.db"), f".backup {work / 'hand.db'}"], check=True),
            "sqlite3 .backup",
        )
    )
    for label, base in (("postgresql", PG), ("mariadb", MYSQL)):
        url, drop = server_db(base)
        fill(url, args.rows)
        u = make_url(url)
        if label == "postgresql":
            hand = lambda u=u: subprocess.run(
                ["pg_dump", "-Fc", "-f", str(work / "hand.dump")],
                check=True,
                env=dict(
                    os.environ, PGHOST=u.host, PGPORT=str(u.port or 5432), PGUSER=u.username, PGDATABASE=u.database
                ),
            )
            tool = "pg_dump -Fc"
        else:
            hand = lambda u=u: subprocess.run(
                [
                    "mariadb-dump",
                    "-h",
                    u.host,
                    "-P",
                    str(u.port or 3306),
                    "-u",
                    u.username,
                    "--single-transaction",
                    "--routines",
                    "--triggers",
                    "--hex-blob",
                    f"--result-file={work / 'hand.sql'}",
                    u.database,
                ],
                check=True,
            )
            tool = "mariadb-dump"
        cases.append((label, url, drop, hand, tool))
    try:
        for label, url, _drop, hand, tool in cases:
            project = work / label
            project.mkdir()
            ours = median_time(
                lambda: subprocess.run(dbm_cmd(project, url), check=True, env=env, capture_output=True), args.runs
            )
            theirs = median_time(hand, args.runs)
            inproc = median_time(lambda: api.backup(project, env=url), args.runs)
            print(f"{label:10} {ours:11.3f} {theirs:8.3f} {ours / theirs:6.2f} {inproc:11.3f}  {tool}")
    finally:
        for _label, _url, drop, _hand, _tool in cases:
            if drop:
                drop()


if __name__ == "__main__":
    main()
