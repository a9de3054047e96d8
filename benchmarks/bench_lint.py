"""Lint time, whole process, against squawk (pip: squawk-cli) on the same migration files.

    python benchmarks/bench_lint.py [--runs N]

Writes PostgreSQL migration files of 1,000 / 5,000 / 10,000 statements (a realistic mix: new
tables, columns with defaults, indexes, constraints, renames, drops, data fixes), then times
``python -m dbmigrate_magic lint FILE --format json --dialect postgresql`` and
``squawk --reporter json FILE`` as subprocesses (median of N runs) and prints the ratio, both
in wall-clock time and in CPU time (user+system of the child, from ``os.wait4``), which stays
meaningful when the machine is busy with other work.
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


def write(path: Path, n: int) -> None:
    lines = ["-- generated benchmark migration", "SET lock_timeout = '2s';"]
    lines += [TEMPLATES[i % len(TEMPLATES)].format(i=i) for i in range(n - 1)]
    path.write_text("\n".join(lines) + "\n")


def median_time(cmd: list[str], runs: int) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of running ``cmd`` to completion."""
    wall, cpu = [], []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
        _, _, usage = os.wait4(proc.pid, 0)
        wall.append(time.perf_counter() - t)
        cpu.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 7
    squawk = Path(sys.executable).parent / "squawk"
    squawk_cmd = str(squawk) if squawk.exists() else shutil.which("squawk")
    env_python = [sys.executable, "-m", "dbmigrate_magic", "lint", "--format", "json", "--dialect", "postgresql"]
    os.environ["PYTHONPATH"] = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")
    print(f"runs per measurement: {runs} (median); squawk: {squawk_cmd or 'not installed (pip install squawk-cli)'}")
    print(
        f"{'statements':>10} {'dbm wall ms':>11} {'squawk wall':>11} {'ratio':>5}   {'dbm cpu ms':>10} "
        f"{'squawk cpu':>10} {'ratio':>5}   {'dbm cpu us/stmt':>15}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1000, 5000, 10000):
            f = Path(tmp) / f"m{n}.sql"
            write(f, n)
            ours = median_time(env_python + [str(f)], runs)
            theirs = (
                median_time([squawk_cmd, "--reporter", "json", str(f)], runs) if squawk_cmd else (float("nan"),) * 2
            )
            print(
                f"{n:>10} {ours[0] * 1000:>11.1f} {theirs[0] * 1000:>11.1f} {ours[0] / theirs[0]:>5.1f}   "
                f"{ours[1] * 1000:>10.1f} {theirs[1] * 1000:>10.1f} {ours[1] / theirs[1]:>5.1f}   "
                f"{ours[1] / n * 1e6:>15.1f}"
            )
        start = median_time([sys.executable, "-c", "pass"], runs)
        parser = median_time([sys.executable, "-c", "import pglast.parser"], runs)
        print(
            f"fixed costs (cpu): python start {start[1] * 1000:.1f} ms, + import pglast "
            f"{(parser[1] - start[1]) * 1000:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
