"""How long `%load_ext dbmigrate_magic` takes, against JupySQL's `%load_ext sql`, in the same run.

Each measurement is a fresh Python process that builds an IPython shell, then times only the
load call itself (time.perf_counter around `run_line_magic("load_ext", ...)`). Runs alternate
between the two extensions; the median of each is printed with the ratio.

    python benchmarks/bench_load_ext.py [RUNS]      (JupySQL: pip install -e ".[bench]")
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHILD = """
import time
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
start = time.perf_counter()
shell.run_line_magic("load_ext", {ext!r})
elapsed = time.perf_counter() - start
assert {magic!r} in shell.magics_manager.magics["line"], "extension did not register its magic"
print(elapsed)
"""


def measure(ext: str, magic: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(ext=ext, magic=magic)], capture_output=True, text=True, env=env, cwd=REPO
    )
    if out.returncode != 0:
        raise SystemExit(f"loading {ext} failed:\n{out.stderr}")
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    try:
        import sql  # noqa: F401  (JupySQL)
    except ImportError:
        print("JupySQL is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    ours, theirs = [], []
    measure("dbmigrate_magic", "dbm")  # warm the file-system cache for both before timing
    measure("sql", "sql")
    for _ in range(runs):
        ours.append(measure("dbmigrate_magic", "dbm"))
        theirs.append(measure("sql", "sql"))
    m_ours, m_theirs = statistics.median(ours), statistics.median(theirs)
    print(f"runs: {runs} fresh processes each, load call only, median")
    print(f"%load_ext dbmigrate_magic : {m_ours * 1000:8.1f} ms")
    print(f"%load_ext sql (JupySQL)   : {m_theirs * 1000:8.1f} ms")
    print(f"ratio dbmigrate_magic / JupySQL = {m_ours / m_theirs:.3f}  (JupySQL is {m_theirs / m_ours:.1f}x slower)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
