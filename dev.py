#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11+:

    python3 dev.py quickstart   # install into .venv, execute notebooks/01_quickstart.ipynb (SQLite)
    python3 dev.py test         # install into .venv (+ pinned npm tools), ruff + mypy, the whole test suite

Extra arguments after ``test`` go to pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent
VENV = REPO / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
NODE_DIR = REPO / "tests" / "node"  # pinned package.json + lock for Knex, Drizzle, TypeORM
NODE_CACHE = REPO / ".cache" / "node"  # ignored by git


def sh(*cmd: str | Path, **kw) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run(list(map(str, cmd)), check=True, **kw)


def ensure_venv(extras: str) -> None:
    stamp = VENV / f".installed-{extras}"
    pyproject = REPO / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    sh(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    sh(PY, "-m", "pip", "install", "--quiet", "-e", f"{REPO}[{extras}]")
    stamp.touch()


def ensure_node_tools() -> None:
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
    sh("npm", "ci" if lock.exists() else "install", "--no-audit", "--no-fund", "--loglevel=error", cwd=NODE_CACHE)
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


def test(args: list[str]) -> int:
    ensure_venv("dev")
    ensure_node_tools()
    failed = checks()
    env = dict(os.environ, DBM_NODE_MODULES=str(NODE_CACHE / "node_modules"))
    code = subprocess.run([str(PY), "-m", "pytest", *args], cwd=REPO, env=env).returncode
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
