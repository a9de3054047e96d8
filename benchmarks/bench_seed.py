"""``dbm seed`` on PostgreSQL: a 100,000-row DataFrame loaded by key, against pandas
``DataFrame.to_sql(method="multi")`` and ``psql \\copy`` into an empty table (the floor).

Each round empties the table and runs A (ours), B (to_sql), C (psql \\copy) in turn, so the three
share the machine's state; medians and ratios are printed. Also timed: ours again on the full
table (every row unchanged: staging, one counting query, nothing written) and with 10% of the rows
changed (staging plus one upsert).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_seed.py [--rows 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from dbmigrate_magic.db import Database
from dbmigrate_magic.seeding.load import seed_database
from dbmigrate_magic.seeding.sources import TableSeed

PG = os.environ.get("DBM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DDL = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10,2), at TIMESTAMPTZ, doc JSONB)"


def frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "id": np.arange(1, rows + 1),
            "name": [f"item {i}" for i in range(rows)],
            "price": rng.integers(100, 100_000, rows) / 100,
            "at": pd.date_range("2024-01-01", periods=rows, freq="min", tz="UTC"),
            "doc": [{"n": i % 17, "tags": ["a", "b"]} for i in range(rows)],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    name = f"dbm_bench_seed_{uuid.uuid4().hex[:8]}"
    server = create_engine(PG, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(PG).set(database=name)
    sa_url = url.render_as_string(hide_password=False)
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    engine = create_engine(sa_url, poolclass=NullPool)
    data = frame(args.rows)
    csv = Path(tempfile.mkdtemp()) / "items.csv"
    as_text = data.assign(doc=[__import__("json").dumps(d) for d in data["doc"]])
    as_text.to_csv(csv, index=False)
    db = Database(sa_url)
    seeds = [TableSeed("items", data, None, ("DataFrame",))]

    def empty() -> None:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS items"))
            conn.execute(text(DDL))

    def ours() -> None:
        seed_database(db, seeds, [], commit=True, progress=False)

    def to_sql() -> None:
        from sqlalchemy.dialects.postgresql import JSONB

        with engine.begin() as conn:
            data.to_sql(
                "items", conn, if_exists="append", index=False, method="multi", chunksize=1000, dtype={"doc": JSONB}
            )

    def copy() -> None:
        subprocess.run(
            [
                "psql",
                libpq,
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                f"\\copy items FROM '{csv}' WITH (FORMAT csv, HEADER)",
            ],
            check=True,
        )

    times: dict[str, list[float]] = {"ours (empty table)": [], "to_sql multi": [], "psql \\copy (floor)": []}
    again: list[float] = []
    changed: list[float] = []
    try:
        for _ in range(args.rounds):
            for label, run in zip(times, (ours, to_sql, copy)):
                empty()
                started = time.perf_counter()
                run()
                times[label].append(time.perf_counter() - started)
            empty()
            ours()
            started = time.perf_counter()
            report = seed_database(db, seeds, [], commit=True, progress=False)
            again.append(time.perf_counter() - started)
            assert report.counts[0].unchanged == args.rows
            tenth = data.copy()
            tenth.loc[tenth.index % 10 == 0, "price"] += 1
            started = time.perf_counter()
            report = seed_database(
                db, [TableSeed("items", tenth, None, ("DataFrame",))], [], commit=True, progress=False
            )
            changed.append(time.perf_counter() - started)
            assert report.counts[0].updated == (args.rows + 9) // 10
        med = {k: statistics.median(v) for k, v in times.items()}
        floor, ours_t, multi = med["psql \\copy (floor)"], med["ours (empty table)"], med["to_sql multi"]
        print(f"{args.rows:,} rows, {args.rounds} rounds, medians:")
        for label, value in med.items():
            print(f"  {label:<24} {value:7.3f} s")
        print(f"  {'ours, re-run (unchanged)':<24} {statistics.median(again):7.3f} s")
        print(f"  {'ours, 10% rows changed':<24} {statistics.median(changed):7.3f} s")
        print(f"ours / floor = {ours_t / floor:.2f}x (aim <= 2x); to_sql / ours = {multi / ours_t:.1f}x (aim >= 5x)")
    finally:
        db.dispose()
        engine.dispose()
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        server.dispose()


if __name__ == "__main__":
    main()
