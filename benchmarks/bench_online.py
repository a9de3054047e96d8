"""Writer stalls during a change, our zero-downtime plan against the naive statement, same run.

A table of N rows (default 200,000; ``--rows 1000000`` for the issue's size) on the local PostgreSQL
and a writer thread on its own connection doing INSERT then UPDATE in a loop, timing each statement.
For each change, in alternating order (A B C, then C B A), each on a fresh copy of the table: the
naive statement (``ALTER COLUMN n TYPE bigint``; ``CREATE INDEX``), the safe sequence an expert
writes by hand (``HAND_TYPE``/``HAND_INDEX``: nullable column + trigger, a 1,000-row UPDATE loop,
``CHECK NOT VALID`` + ``VALIDATE``, ``SET NOT NULL``, renames; ``CREATE INDEX CONCURRENTLY``), and
our plan's steps (``dbm plan --write``, each migration with ``migrate --to``, the backfill with
``backfill`` at its default, batches sized by time). Per step: the writer's max and p99 statement
time while the step ran, and the step's time; medians over the runs; then each whole plan's time as
a ratio to the hand-written sequence. Also the backfill's rate against one ``UPDATE`` of the table.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_online.py [--rows N] [--runs 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

SERVER = os.environ.get("DBM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


class Writer:
    """INSERT + UPDATE in a loop in its own process (as an application's writer is: it must not wait
    for this process's interpreter lock while the tool works), each statement timed on the system's
    monotonic clock, which both processes share."""

    def __init__(self, url: str, rows: int):
        ctx = multiprocessing.get_context("spawn")
        self.stop, self.ready, (self._recv, send) = ctx.Event(), ctx.Event(), ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_write, args=(url, rows, self.stop, self.ready, send), daemon=True)
        self.samples: list[tuple[float, float]] = []  # (start, seconds)

    def start(self) -> None:
        """Returns once the writer is connected and writing."""
        self._proc.start()
        if not self.ready.wait(60):
            raise RuntimeError("the writer did not start")

    def finish(self) -> None:
        self.stop.set()
        error, self.samples = self._recv.recv()
        self._proc.join()
        if error is not None:  # a statement the change made fail: the run is broken, not slow
            raise RuntimeError(f"the writer failed during the change: {error}")

    def window(self, start: float, end: float) -> tuple[float, float]:
        """(max, p99) in ms of statements that started in [start, end) or were running at its end."""
        xs = sorted(d for t, d in self.samples if start <= t < end or (t < start and t + d > start))
        if not xs:
            return 0.0, 0.0
        return xs[-1] * 1000, xs[min(len(xs) - 1, int(len(xs) * 0.99))] * 1000


def _write(url: str, rows: int, stop, ready, send) -> None:
    samples: list[tuple[float, float]] = []
    error = None
    try:
        with psycopg.connect(libpq(url), autocommit=True) as conn:
            i = 0
            while not stop.is_set():
                i += 1
                for sql, params in (
                    ("INSERT INTO t (n, payload) VALUES (%s, 'w')", (i,)),
                    ("UPDATE t SET payload = 'u' WHERE id = %s", ((i * 7919) % rows + 1,)),
                ):
                    t0 = time.perf_counter()
                    conn.execute(sql, params)
                    samples.append((t0, time.perf_counter() - t0))
                ready.set()
                time.sleep(0.002)
    except Exception as exc:  # noqa: BLE001 (reported by Writer.finish in the main process)
        error = repr(exc)
        ready.set()
    send.send((error, samples))


def fresh_db(rows: int) -> tuple[str, str]:
    name = f"dbm_bench_online_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq(SERVER), autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(libpq(url), autocommit=True) as c:
        c.execute("CREATE TABLE t (id serial PRIMARY KEY, n integer NOT NULL DEFAULT 0, m integer, payload text)")
        c.execute(f"INSERT INTO t (n, m, payload) SELECT g, g % 1000, 'p' FROM generate_series(1, {rows}) g")
        c.execute("VACUUM ANALYZE t")
    return url, name


def drop_db(name: str) -> None:
    with psycopg.connect(libpq(SERVER), autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def naive(url: str, statement: str, rows: int) -> list[tuple[str, float, float, float]]:
    writer = Writer(url, rows)
    writer.start()
    time.sleep(0.5)
    t0 = time.perf_counter()
    with psycopg.connect(libpq(url), autocommit=True) as c:
        c.execute(statement)
    t1 = time.perf_counter()
    time.sleep(0.3)
    writer.finish()
    return [("naive", *writer.window(t0, t1), t1 - t0)]


#: what an expert writes by hand for each change: the same expand/backfill/validate/switch/contract
#: pattern as plain SQL run straight from a driver (no tool, no tracking table), with the usual
#: 1,000-row batches of a hand-written UPDATE loop (Rails' in_batches default)
HAND_BATCH = 1000
HAND_TYPE = {
    "expand": [
        "BEGIN",
        "SET LOCAL lock_timeout = '1s'",
        "ALTER TABLE t ADD COLUMN n_new bigint",
        "CREATE FUNCTION t_n_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.n_new := NEW.n; RETURN NEW; END $$",
        "CREATE TRIGGER t_n_sync BEFORE INSERT OR UPDATE OF n ON t FOR EACH ROW EXECUTE FUNCTION t_n_sync()",
        "COMMIT",
    ],
    "backfill": [],  # the loop in hand()
    "validate": [
        "ALTER TABLE t ADD CONSTRAINT t_n_new_nn CHECK (n_new IS NOT NULL) NOT VALID",
        "ALTER TABLE t VALIDATE CONSTRAINT t_n_new_nn",
    ],
    "switch": [
        "BEGIN",
        "SET LOCAL lock_timeout = '1s'",
        "DROP TRIGGER t_n_sync ON t",
        "DROP FUNCTION t_n_sync()",
        "ALTER TABLE t RENAME COLUMN n TO n_old",
        "ALTER TABLE t RENAME COLUMN n_new TO n",
        "ALTER TABLE t ALTER COLUMN n_old DROP DEFAULT, ALTER COLUMN n_old DROP NOT NULL",
        "ALTER TABLE t ALTER COLUMN n SET DEFAULT 0, ALTER COLUMN n SET NOT NULL",
        "ALTER TABLE t DROP CONSTRAINT t_n_new_nn",
        "COMMIT",
    ],
    "contract": ["SET lock_timeout = '1s'", "ALTER TABLE t DROP COLUMN n_old"],
}
HAND_INDEX = {"index": ["CREATE INDEX CONCURRENTLY t_m_idx ON t (m)"]}


def hand(url: str, statement: str, rows: int) -> list[tuple[str, float, float, float]]:
    steps = HAND_TYPE if "TYPE" in statement else HAND_INDEX
    writer = Writer(url, rows)
    writer.start()
    time.sleep(0.5)
    spans: list[tuple[str, float, float]] = []
    with psycopg.connect(libpq(url), autocommit=True) as c:
        for name, sqls in steps.items():
            t0 = time.perf_counter()
            for sql in sqls:
                c.execute(sql)
            if name == "backfill":
                top = c.execute("SELECT max(id) FROM t").fetchone()[0]
                for lo in range(0, top, HAND_BATCH):
                    c.execute("UPDATE t SET n_new = n WHERE id > %s AND id <= %s", (lo, lo + HAND_BATCH))
            t1 = time.perf_counter()
            spans.append((name, t0, t1))
    time.sleep(0.3)
    writer.finish()  # the samples arrive here
    return [(name, *writer.window(t0, t1), t1 - t0) for name, t0, t1 in spans]


def ours(url: str, statement: str, rows: int) -> list[tuple[str, float, float, float]]:
    from dbmigrate_magic import api
    from dbmigrate_magic._verbs.backfill import backfill

    root = Path(tempfile.mkdtemp(prefix="dbm_bench_online_"))
    (root / "migrations").mkdir()
    (root / ".env").write_text(f"DATABASE_URL={url}\n")
    result = api.plan(sql=statement, project=str(root), env=url, write=True)
    files = iter(result.written)
    writer = Writer(url, rows)
    writer.start()
    time.sleep(0.5)
    spans: list[tuple[str, float, float]] = []
    for step in result.changes[0].plan.steps:
        t0 = time.perf_counter()
        if step.backfill is None:
            done = api.migrate(str(root), env=url, to=Path(next(files)).stem, yes=True)
        else:
            bf = step.backfill
            done = backfill(
                bf.table, set_sql=bf.set_sql, where=bf.where, env=url, project=str(root), yes=True, progress=False
            )
        t1 = time.perf_counter()
        assert done.status == "applied", done.to_text()
        spans.append((step.name, t0, t1))
    time.sleep(0.3)
    writer.finish()  # the samples arrive here
    return [(name, *writer.window(t0, t1), t1 - t0) for name, t0, t1 in spans]


def backfill_rate(url: str, rows: int) -> tuple[float, float]:
    """(seconds of one UPDATE of the whole table, seconds of the batched backfill of the same column)."""
    from dbmigrate_magic._verbs.backfill import backfill

    with psycopg.connect(libpq(url), autocommit=True) as c:
        c.execute("ALTER TABLE t ADD COLUMN a bigint, ADD COLUMN b bigint")
        t0 = time.perf_counter()
        c.execute("UPDATE t SET a = n")
        one = time.perf_counter() - t0
    root = Path(tempfile.mkdtemp(prefix="dbm_bench_online_"))
    (root / ".env").write_text(f"DATABASE_URL={url}\n")
    t0 = time.perf_counter()
    backfill("t", set_sql="b = n", env=url, project=str(root), yes=True, progress=False)
    return one, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    changes = {
        "type change": "ALTER TABLE t ALTER COLUMN n TYPE bigint",
        "add index": "CREATE INDEX t_m_idx ON t (m)",
    }
    results: dict[tuple[str, str, str], list[tuple[float, float, float]]] = {}
    sides = (("naive", naive), ("hand", hand), ("plan", ours))
    for run in range(args.runs):
        for label, statement in changes.items():
            order = sides if run % 2 == 0 else sides[::-1]  # A B C, then C B A
            for side, fn in order:
                url, name = fresh_db(args.rows)
                try:
                    for step, mx, p99, secs in fn(url, statement, args.rows):
                        results.setdefault((label, side, step), []).append((mx, p99, secs))
                finally:
                    drop_db(name)
    print(f"\n{args.rows} rows, {args.runs} runs, medians; hand = the safe DDL written by hand, plan = ours")
    print(f"{'change':12} {'side':6} {'step':34} {'max stall ms':>12} {'p99 ms':>8} {'step s':>8}")
    totals: dict[tuple[str, str], float] = {}
    worst: dict[tuple[str, str], float] = {}
    for label in changes:
        for side, _ in sides:
            for (lb, sd, step), xs in results.items():
                if (lb, sd) != (label, side):
                    continue
                mx, p99, secs = (statistics.median(v) for v in zip(*xs))
                totals[(label, side)] = totals.get((label, side), 0) + secs
                worst[(label, side)] = max(worst.get((label, side), 0), mx)
                print(f"{label:12} {side:6} {step:34} {mx:12.1f} {p99:8.1f} {secs:8.2f}")
    for label in changes:
        n, h, p = (totals[(label, side)] for side in ("naive", "hand", "plan"))
        print(
            f"{label}: plan {p:.2f} s (worst step stall {worst[(label, 'plan')]:.1f} ms), hand-written {h:.2f} s "
            f"(worst {worst[(label, 'hand')]:.1f} ms), naive {n:.2f} s (worst {worst[(label, 'naive')]:.1f} ms): "
            f"plan / hand-written {p / h:.2f}x"
        )
    p_all = sum(totals[(label, "plan")] for label in changes)
    h_all = sum(totals[(label, "hand")] for label in changes)
    print(f"all changes: plan {p_all:.2f} s / hand-written {h_all:.2f} s = {p_all / h_all:.2f}x")
    url, name = fresh_db(args.rows)
    try:
        one, batched = backfill_rate(url, args.rows)
    finally:
        drop_db(name)
    print(
        f"backfill: {args.rows / batched:.0f} rows/s batched ({batched:.2f} s) vs one UPDATE {args.rows / one:.0f} "
        f"rows/s ({one:.2f} s): ratio {batched / one:.1f}x the time"
    )


if __name__ == "__main__":
    main()
