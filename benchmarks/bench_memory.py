"""Peak memory (RSS) of ``dbm status`` on 10,000 migrations and ``dbm diff`` of 2,000 tables, with their times.

Issue 18 asks for both under 300 MB. Each command runs as a whole process; its own peak RSS comes
from ``os.wait4`` (see _child.py). The status project is a raw SQL project on SQLite with half of
its migrations applied (so both applied and pending rows are listed); the diff compares two
PostgreSQL databases of ``--tables`` tables built as in bench_diff.py (10 columns, 2 indexes and a
foreign key each; ~10% changed on one side). ``pg_dump --schema-only`` of both runs alongside as the
reference for reading the catalogs (A B A B ...).

    python benchmarks/bench_memory.py [--migrations 10000] [--tables 2000] [--runs 3] [--skip-diff]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _child import alternate, load, run_child  # noqa: E402
from bench_migrate import ENV, filename, write_rawsql  # noqa: E402

PY = sys.executable
LIMIT_MB = 300


def status_project(root: Path, n: int) -> Path:
    url = f"sqlite:///{root / 'bench.db'}"
    write_rawsql(root, n, url)
    half = filename(n // 2 - 1)
    run_child([PY, "-m", "dbmigrate_magic", "migrate", "--yes", "--to", half], root, ENV)
    return root


def verdict(peak: float) -> str:
    return "ok" if peak < LIMIT_MB else f"OVER {LIMIT_MB} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--migrations", type=int, default=10_000)
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-diff", action="store_true")
    args = parser.parse_args()
    print(f"Peak RSS, median time of {args.runs} runs, whole processes ({load()})")
    with tempfile.TemporaryDirectory(prefix="dbm_bench_") as tmp:
        root = status_project(Path(tmp) / "status", args.migrations)
        check = run_child([PY, "-m", "dbmigrate_magic", "status", "--format", "json"], root, ENV, ok=(0, 1))
        states = [m["state"] for m in json.loads(check.out)["migrations"]]
        assert len(states) == args.migrations and states.count("applied") == args.migrations // 2, len(states)
        s = alternate(
            {
                f"dbm status, {args.migrations} migrations (text)": lambda: run_child(
                    [PY, "-m", "dbmigrate_magic", "status"], root, ENV, ok=(0, 1)
                ),
                f"dbm status, {args.migrations} migrations (json)": lambda: run_child(
                    [PY, "-m", "dbmigrate_magic", "status", "--format", "json"], root, ENV, ok=(0, 1)
                ),
            },
            args.runs,
        )
        for series in s.values():
            print(series.line(52), verdict(series.peak_mb))
    if args.skip_diff:
        return 0
    from bench_diff import create, drop, schema

    a = create(schema(args.tables, False))
    b = create(schema(args.tables, True))
    try:
        dump = ["pg_dump", "--schema-only", "--no-owner"]
        s = alternate(
            {
                f"dbm diff, {args.tables} tables (--sql)": lambda: run_child(
                    [PY, "-m", "dbmigrate_magic", "diff", a, b, "--sql", "--unsafe"], env=ENV, ok=(0, 1, 2)
                ),
                "pg_dump --schema-only, both databases": lambda: _both(dump, a, b),
            },
            args.runs,
        )
        for series in s.values():
            print(series.line(52), verdict(series.peak_mb) if series.label.startswith("dbm") else "")
    finally:
        drop(a)
        drop(b)
    print(f"({load()})")
    return 0


def _both(dump: list[str], a: str, b: str):
    from bench_diff import libpq

    first = run_child([*dump, "-d", libpq(a)], env=ENV)
    second = run_child([*dump, "-d", libpq(b)], env=ENV)
    first.seconds += second.seconds
    first.peak_mb = max(first.peak_mb, second.peak_mb)
    return first


if __name__ == "__main__":
    sys.exit(main())
