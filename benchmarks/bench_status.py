"""``dbm status`` (whole process) against the tools' own status commands, 2,000 migrations applied.

Alembic: ``alembic history`` + ``alembic current``. Django: ``manage.py showmigrations``.
SQLite databases, so the figures measure the tools rather than a server. Usage:

    /work/venv/bin/python benchmarks/bench_status.py [--n 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import alembic_project as ap  # noqa: E402
from tests import django_project as dj  # noqa: E402

REVISION = '''"""step {i}

Revision ID: {rev}
Revises: {down}
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = {rev!r}
down_revision: Union[str, Sequence[str], None] = {down_repr}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("CREATE TABLE t{i} (id INTEGER PRIMARY KEY)")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP TABLE t{i}")
'''


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(REPO) + os.pathsep + e.get("PYTHONPATH", "")
    e.pop("DATABASE_URL", None)
    # Users' Python caches bytecode (__pycache__) for our package, Alembic's revision modules and
    # Django's migrations alike; measure that steady state, after one warm-up run of each command.
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    return e


class Timing(float):
    """Median wall seconds; ``.cpu`` is the median CPU seconds (user+sys) of the child processes,
    which a busy shared machine disturbs far less than wall time."""

    cpu: float


def timed(cmds: list[list[str]], cwd: Path, runs: int, extra_env: dict[str, str] | None = None) -> Timing:
    """Median over ``runs`` of the time of running ``cmds`` one after another."""
    environ = env() | (extra_env or {})
    walls, cpus = [], []
    for cmd in cmds:  # warm-up: writes the bytecode caches
        subprocess.run(cmd, cwd=cwd, env=environ, capture_output=True, text=True)
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        for cmd in cmds:
            out = subprocess.run(cmd, cwd=cwd, env=environ, capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    result = Timing(statistics.median(walls))
    result.cpu = statistics.median(cpus)
    return result


def line(label: str, t: Timing) -> str:
    return f"  {label:<34}{t:7.3f} s wall {t.cpu:7.3f} s cpu"


def alembic_project(root: Path, n: int) -> Path:
    from alembic import command

    ap.init(root, f"sqlite:///{root / 'dev.db'}")
    versions = root / "alembic" / "versions"
    down = None
    for i in range(n):
        rev = f"{i:04d}{'a' * 8}"
        (versions / f"{rev}_step_{i}.py").write_text(
            REVISION.format(i=i, rev=rev, down=down or "", down_repr=repr(down))
        )
        down = rev
    command.stamp(ap.config(root), "head")
    return root


def django_project(root: Path, n: int) -> tuple[Path, str]:
    url = f"sqlite:///{root / 'db.sqlite3'}"
    dj.startproject(root, url, ["shop"], url_settings=False)  # startproject's own DATABASES (db.sqlite3)
    prev = None
    for i in range(1, n + 1):
        name = f"{i:04d}_step"
        dj.migration(
            root, "shop", name, [("shop", prev)] if prev else [], f"CREATE TABLE s{i} (id int)", f"DROP TABLE s{i}"
        )
        prev = name
    dj.manage(root, url, "migrate", "--fake")
    return root, url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    dbm = [py, "-m", "dbmigrate_magic", "status"]
    with tempfile.TemporaryDirectory() as tmp:
        root = alembic_project(Path(tmp) / "alembic_app", args.n)
        ours = timed([dbm], root, args.runs)
        hist = timed([[py, "-m", "alembic", "history"]], root, args.runs)
        cur = timed([[py, "-m", "alembic", "current"]], root, args.runs)
        print(f"Alembic, {args.n} revisions, all applied (SQLite), median of {args.runs}:")
        print(line("dbm status", ours))
        print(line("alembic history", hist))
        print(line("alembic current", cur))
        print(
            f"  (history + current) / dbm status  {(hist + cur) / ours:7.1f}x wall "
            f"{(hist.cpu + cur.cpu) / ours.cpu:7.1f}x cpu"
        )

        root, url = django_project(Path(tmp) / "django_app", args.n)
        ours = timed([dbm], root, args.runs)
        show = timed([[py, "manage.py", "showmigrations"]], root, args.runs, {"DATABASE_URL": url})
        plan = timed([[py, "manage.py", "showmigrations", "--plan"]], root, args.runs, {"DATABASE_URL": url})
        print(f"Django, {args.n} migrations in one app + contrib apps, all applied (SQLite), median of {args.runs}:")
        print(line("dbm status", ours))
        print(line("manage.py showmigrations", show))
        print(line("manage.py showmigrations --plan", plan))
        print(f"  showmigrations / dbm status       {show / ours:7.1f}x wall {show.cpu / ours.cpu:7.1f}x cpu")


if __name__ == "__main__":
    main()
