#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11+:

    python3 dev.py quickstart   # install into .venv, execute notebooks/01_quickstart.ipynb (SQLite)
    python3 dev.py test         # install into .venv (+ pinned npm tools), ruff + mypy, the whole test suite

Extra arguments after ``test`` go to pytest (to both passes: the parallel one, then the ``serial`` trials;
an explicit ``-m`` or ``-n`` makes it one pass, as given).
DBM_TEST_WORKERS sets the number of parallel workers (0: one plain serial run).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent
VENV = REPO / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
NODE_DIR = REPO / "tests" / "node"  # pinned package.json + lock for Knex, Drizzle, TypeORM
NODE_CACHE = REPO / ".cache" / "node"  # ignored by git


def sh(*cmd: str | Path, heartbeat: float = 0, label: str = "", prefix: str = "", **kw) -> None:
    """Run a command, echoing it; with ``heartbeat``, also print the elapsed time every that many
    seconds, so a long install that prints little is never mistaken for a hang; with ``prefix``,
    each output line carries it (two installs run side by side, their lines stay readable)."""
    print(f"{prefix}+", " ".join(map(str, cmd)), flush=True)
    done = threading.Event()
    if heartbeat:
        start = time.monotonic()
        name = label or Path(str(cmd[0])).name

        def beat() -> None:
            while not done.wait(heartbeat):
                print(f"{prefix}  ... {name} still running, {time.monotonic() - start:.0f} s", flush=True)

        threading.Thread(target=beat, daemon=True).start()
    try:
        if not prefix:
            subprocess.run(list(map(str, cmd)), check=True, **kw)
            return
        with subprocess.Popen(
            list(map(str, cmd)), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", **kw
        ) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                print(f"{prefix}{line}", end="", flush=True)
        if proc.returncode:
            raise subprocess.CalledProcessError(proc.returncode, cmd)
    finally:
        done.set()


def ensure_venv(extras: str) -> None:
    stamp = VENV / f".installed-{extras}"
    pyproject = REPO / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    # not --quiet: pip prints a line per package it collects and installs (progress on a fresh machine)
    sh(PY, "-m", "pip", "install", "--upgrade", "pip", heartbeat=30, label="pip install")
    sh(PY, "-m", "pip", "install", "-e", f"{REPO}[{extras}]", heartbeat=30, label="pip install")
    stamp.touch()


def ensure_node_tools(prefix: str = "") -> None:
    """Install the pinned npm packages outside git (``.cache/node``), once per lock file change."""
    lock = NODE_DIR / "package-lock.json"
    if not (NODE_DIR / "package.json").exists():
        return
    NODE_CACHE.mkdir(parents=True, exist_ok=True)
    stamp = NODE_CACHE / ".installed"
    source = lock if lock.exists() else NODE_DIR / "package.json"
    if stamp.exists() and stamp.stat().st_mtime >= source.stat().st_mtime and (NODE_CACHE / "node_modules").is_dir():
        return
    for name in ("package.json", "package-lock.json"):
        if (NODE_DIR / name).exists():
            (NODE_CACHE / name).write_bytes((NODE_DIR / name).read_bytes())
    # --loglevel=http: a line per package fetched; the heartbeat covers the quiet unpack/build phases
    sh(
        "npm",
        "ci" if lock.exists() else "install",
        "--no-audit",
        "--no-fund",
        "--loglevel=http",
        cwd=NODE_CACHE,
        heartbeat=15,
        label="npm ci" if lock.exists() else "npm install",
        prefix=prefix,
    )
    stamp.touch()


def quickstart() -> int:
    ensure_venv("notebook")
    out_dir = REPO / "build" / "quickstart"
    out_dir.mkdir(parents=True, exist_ok=True)
    sh(
        PY,
        "-m",
        "jupyter",
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--output-dir",
        out_dir,
        REPO / "notebooks" / "01_quickstart.ipynb",
    )
    sh(PY, "-m", "jupyter", "nbconvert", "--to", "html", "--output-dir", out_dir, out_dir / "01_quickstart.ipynb")
    print(
        f"\nQuick start done. Executed runbook: {out_dir / '01_quickstart.ipynb'}"
        f"\n                  and as HTML:     {out_dir / '01_quickstart.html'}"
    )
    return 0


#: the habits every change keeps: lint and format (ruff) and types (mypy), configured in pyproject.toml
CHECKS = (
    ("ruff check", ["-m", "ruff", "check", "."]),
    ("ruff format --check", ["-m", "ruff", "format", "--check", "."]),
    ("mypy", ["-m", "mypy"]),
)


def checks() -> list[str]:
    """Run every check; the names of those that failed (all run, so one pass shows everything to fix)."""
    failed = []
    for name, cmd in CHECKS:
        print(f"+ {name}", flush=True)
        if subprocess.run([str(PY), *cmd], cwd=REPO).returncode != 0:
            failed.append(name)
    return failed


def workers() -> str:
    """pytest-xdist workers for the parallel pass: DBM_TEST_WORKERS, else one per CPU (at least two:
    most tests wait on a subprocess or a database server, so two overlap even on one core)."""
    return os.environ.get("DBM_TEST_WORKERS") or str(max(2, os.cpu_count() or 1))


def pytest_passes(args: list[str]) -> list[list[str]]:
    """The whole suite as two passes: everything not marked ``serial`` spread over the workers, a test
    file per worker at a time (``--dist loadfile``: a runbook's cells share one kernel, a module's
    fixtures stay in one process, and a concurrency trial stays whole on one worker); then the
    ``serial`` kill -9 trials alone, so another worker's load cannot shift where their kills land.
    DBM_TEST_WORKERS=0 runs one serial pass, and so does an explicit ``-m`` or ``-n`` among ``args``."""
    n = workers()
    own = any(a in ("-m", "-n", "--numprocesses") or a.startswith(("-m", "-n", "--numprocesses=")) for a in args)
    if n == "0" or own:  # the caller chose the markers or the workers: one pass, as given
        return [args]
    # the slowest tests are listed at the end of the parallel pass: where the suite's time goes
    return [["-n", n, "--dist", "loadfile", "-m", "not serial", "--durations=25", *args], ["-m", "serial", *args]]


def test(args: list[str]) -> int:
    # npm waits on the network, not the CPU: it runs beside pip and the checks, its lines marked [npm]
    with ThreadPoolExecutor(max_workers=1) as pool:
        node = pool.submit(ensure_node_tools, "[npm] ")
        ensure_venv("dev")
        failed = checks()
        node.result()  # re-raises a failed npm install here
    env = dict(os.environ, DBM_NODE_MODULES=str(NODE_CACHE / "node_modules"))
    codes = []
    for pass_args in pytest_passes(args):
        print("+ pytest", " ".join(pass_args), flush=True)
        codes.append(subprocess.run([str(PY), "-m", "pytest", *pass_args], cwd=REPO, env=env).returncode)
    # 5 = "no tests collected": fine for one pass (a file with no serial trial), a failure for all
    code = 5 if all(c == 5 for c in codes) else max((c for c in codes if c != 5), default=0)
    if code == 5:
        print("pytest collected no tests: that is a failure here.", file=sys.stderr)
    if failed:
        print(f"Failed checks: {', '.join(failed)} (see their output above).", file=sys.stderr)
        return code or 1
    return code


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("quickstart", "test"):
        print(__doc__)
        return 2
    return quickstart() if sys.argv[1] == "quickstart" else test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
