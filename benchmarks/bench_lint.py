"""Lint time, whole process, against squawk (pip: squawk-cli) on the same migration files.

    python benchmarks/bench_lint.py [--runs N] [--baseline OTHER_CHECKOUT]

Writes PostgreSQL migration files of 1,000 / 5,000 / 10,000 statements (a realistic mix: new
tables, columns with defaults, indexes, constraints, renames, drops, data fixes), then times
``python -m dbmigrate_magic lint FILE --format json --dialect postgresql`` and
``squawk --reporter json FILE`` as subprocesses (median of N runs) and prints the ratio, both
in wall-clock time and in CPU time (user+system of the child, from ``os.wait4``), which stays
meaningful when the machine is busy with other work. The commands run in turn (A B A B), and
``--baseline`` times another checkout of this repository (e.g. the main branch) in the same rounds.
The last line gives the fixed costs: Python's start, and both tools on a one-statement file (for
dbm: interpreter, command line and linter imports; what the 1,000-statement ratio is mostly made of).
The "floor" column is a Python process that only reads the file and parses it with pglast, which
any linter built on PostgreSQL's own parser from Python must do before its first rule runs: the
lowest ratio to squawk such a linter can reach at that size.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = [
    "CREATE TABLE t{i} (id serial PRIMARY KEY, name varchar(100) NOT NULL, created_at timestamp DEFAULT now());",
    "ALTER TABLE users ADD COLUMN c{i} integer DEFAULT 0;",
    "CREATE INDEX idx_{i} ON orders (customer_id, created_at);",
    "ALTER TABLE orders ADD CONSTRAINT fk_{i} FOREIGN KEY (user_id) REFERENCES users (id);",
    "ALTER TABLE users ALTER COLUMN c{i} SET NOT NULL;",
    "UPDATE users SET c{i} = 1 WHERE id < 1000;",
    "ALTER TABLE users RENAME COLUMN a{i} TO b{i};",
    "ALTER TABLE users ADD COLUMN IF NOT EXISTS d{i} text;",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS cidx_{i} ON users (lower(email));",
    "ALTER TABLE users DROP COLUMN IF EXISTS old_{i};",
]


#: read and parse the file with pglast, nothing else: the floor of a Python linter on libpg_query
FLOOR = "import sys; from pglast import parser; parser.parse_sql_json(open(sys.argv[1]).read())"


def write(path: Path, n: int) -> None:
    lines = ["-- generated benchmark migration", "SET lock_timeout = '2s';"]
    lines += [TEMPLATES[i % len(TEMPLATES)].format(i=i) for i in range(n - 1)]
    path.write_text("\n".join(lines) + "\n")


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of running ``cmd`` to completion."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir(), env=env
    )
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t, usage.ru_utime + usage.ru_stime


def alternating(commands: dict[str, tuple[list[str], dict[str, str]]], runs: int) -> dict[str, tuple[float, float]]:
    """Each command once per round, in turn (A B C A B C ...); (median wall, median CPU) per name."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (cmd, env) in commands.items():
            times[name].append(run_once(cmd, env))
    return {
        name: (statistics.median(w for w, _ in got), statistics.median(c for _, c in got))
        for name, got in times.items()
    }


def main() -> int:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 7
    baseline = sys.argv[sys.argv.index("--baseline") + 1] if "--baseline" in sys.argv else None
    squawk = Path(sys.executable).parent / "squawk"
    squawk_cmd = str(squawk) if squawk.exists() else shutil.which("squawk")
    if not squawk_cmd:
        print("squawk is not installed (pip install squawk-cli)")
        return 2
    dbm = [sys.executable, "-m", "dbmigrate_magic", "lint", "--format", "json", "--dialect", "postgresql"]

    def env_for(repo: str | Path) -> dict[str, str]:
        return dict(os.environ, PYTHONPATH=str(repo) + os.pathsep + os.environ.get("PYTHONPATH", ""))

    print(f"runs per measurement: {runs} (median, alternating); squawk: {squawk_cmd}; dbm from {REPO}")
    head = f"{'statements':>10} {'dbm wall ms':>11} {'squawk wall':>11} {'ratio':>5}   {'dbm cpu ms':>10} "
    head += f"{'squawk cpu':>10} {'ratio':>5}   {'dbm cpu us/stmt':>15}   {'floor cpu ms':>12} {'ratio':>5}"
    print(head + (f"   {'baseline cpu ms':>15} {'ratio':>5}" if baseline else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1000, 5000, 10000):
            f = Path(tmp) / f"m{n}.sql"
            write(f, n)
            commands = {
                "dbm": (dbm + [str(f)], env_for(REPO)),
                "squawk": ([squawk_cmd, "--reporter", "json", str(f)], dict(os.environ)),
                "floor": ([sys.executable, "-c", FLOOR, str(f)], dict(os.environ)),
            }
            if baseline:
                commands["baseline"] = (dbm + [str(f)], env_for(baseline))
            got = alternating(commands, runs)
            ours, theirs = got["dbm"], got["squawk"]
            line = (
                f"{n:>10} {ours[0] * 1000:>11.1f} {theirs[0] * 1000:>11.1f} {ours[0] / theirs[0]:>5.1f}   "
                f"{ours[1] * 1000:>10.1f} {theirs[1] * 1000:>10.1f} {ours[1] / theirs[1]:>5.1f}   "
                f"{ours[1] / n * 1e6:>15.1f}   {got['floor'][1] * 1000:>12.1f} {got['floor'][1] / theirs[1]:>5.1f}"
            )
            if baseline:
                line += f"   {got['baseline'][1] * 1000:>15.1f} {got['baseline'][1] / theirs[1]:>5.1f}"
            print(line, flush=True)
        one = Path(tmp) / "m1.sql"
        write(one, 1)
        fixed = alternating(
            {
                "start": ([sys.executable, "-c", "pass"], dict(os.environ)),
                "pglast": ([sys.executable, "-c", "import pglast.parser"], dict(os.environ)),
                "dbm1": (dbm + [str(one)], env_for(REPO)),
                "squawk1": ([squawk_cmd, "--reporter", "json", str(one)], dict(os.environ)),
            },
            runs,
        )
        print(
            f"fixed costs (cpu): python start {fixed['start'][1] * 1000:.1f} ms, + import pglast "
            f"{(fixed['pglast'][1] - fixed['start'][1]) * 1000:.1f} ms; a one-statement file: dbm "
            f"{fixed['dbm1'][1] * 1000:.1f} ms, squawk {fixed['squawk1'][1] * 1000:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
