"""Django, N migrations: ``dbm migrate --yes`` / ``dbm rollback --yes`` against ``manage.py migrate`` /
``manage.py migrate shop zero`` on the same project, whole processes, alternating (A B A B ...).

One app (``shop``) with N ``RunSQL`` migrations in a chain, in a ``django-admin startproject`` site
(its contrib apps' migrations are applied by both sides too). ``--shape models`` times instead two
apps of models pointing at each other (``tests/django_project.py``'s ``models_project``, about N
migrations, rolled back with ``catalog zero``): each migration's SQL then needs the models of the
state before it rendered, which is what makes the preview cost more than ``RunSQL``. Each round copies the project and
uses fresh databases; ``dbm migrate --dry-run`` runs before ``dbm migrate --yes`` on the same copy,
as a user previews before applying (bench_alembic.py does the same). Peak RSS is printed beside
each time.

    python benchmarks/bench_django.py [--n 1000] [--runs 3] [--dialects sqlite,postgresql] [--baseline CHECKOUT]
        [--shape runsql|models]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _child import Run, alternate, cpu_ratio, load, ratio, run_child  # noqa: E402
from bench_migrate import ENV, pg_database  # noqa: E402

from tests import django_project as dj  # noqa: E402

PY = sys.executable


def template(root: Path, n: int) -> Path:
    """The project once; each run copies it (writing N files per run would be timed by nobody)."""
    dj.startproject(root, "sqlite:///unused.db", ["shop"])
    prev = None
    for i in range(1, n + 1):
        name = f"{i:04d}_step"
        deps = [("shop", prev)] if prev else []
        dj.migration(root, "shop", name, deps, f"CREATE TABLE s{i} (id int)", f"DROP TABLE s{i}")
        prev = name
    return root


def models_template(root: Path, n: int) -> tuple[Path, int]:
    """Two apps of models over about ``n`` migrations; the project and its number of migrations."""
    return root, len(dj.models_project(root, "sqlite:///unused.db", rounds=max(1, (n - 7) // 2)))


def recorded(url: str) -> int:
    """Rows of the project's own apps in django_migrations (0 before the table exists)."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        if "django_migrations" not in inspect(engine).get_table_names():
            return 0
        with engine.connect() as conn:
            sql = "SELECT count(*) FROM django_migrations WHERE app IN ('shop', 'catalog', 'orders')"
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def shop_tables(url: str) -> int:
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        return sum(1 for t in inspect(engine).get_table_names() if t.startswith("s") and t[1:].isdigit())
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dialects", default="sqlite,postgresql")
    parser.add_argument("--baseline", help="another checkout of the repository to time in the same rounds")
    parser.add_argument("--shape", choices=("runsql", "models"), default="runsql")
    args = parser.parse_args()
    n = args.n
    with tempfile.TemporaryDirectory(prefix="dbm_bench_") as tmp:
        if args.shape == "models":
            base, n = models_template(Path(tmp) / "template", n)
            app, done = "catalog", recorded
        else:
            base, app, done = template(Path(tmp) / "template", n), "shop", shop_tables
        print(
            f"Django, {n} migrations ({args.shape}); median of {args.runs} alternating runs, whole processes ({load()})"
        )
        for dialect in args.dialects.split(","):
            drops: list = []
            state: dict[str, tuple[Path, str]] = {}

            def project(tag: str) -> tuple[Path, str]:
                work = Path(tmp) / f"{dialect}_{uuid.uuid4().hex[:8]}"
                shutil.copytree(base, work)
                if dialect == "postgresql":
                    url, _, drop = pg_database()
                    drops.append(drop)
                else:
                    url = f"sqlite:///{work / 'db.sqlite3'}"
                (work / ".env").write_text(f"DATABASE_URL={url}\n")
                state[tag] = (work, url)
                return work, url

            def tool_up() -> Run:
                work, url = project("tool")
                run = run_child([PY, "manage.py", "migrate"], work, dict(ENV, DATABASE_URL=url))
                assert done(url) == n
                return run

            def tool_down() -> Run:
                work, url = state["tool"]
                run = run_child([PY, "manage.py", "migrate", app, "zero"], work, dict(ENV, DATABASE_URL=url))
                assert done(url) == 0
                return run

            def ours(env: dict[str, str], tag: str):
                def dry() -> Run:
                    work, _ = project(tag)
                    return run_child([PY, "-m", "dbmigrate_magic", "migrate", "--dry-run"], work, env, ok=(0, 1))

                def up() -> Run:
                    work, url = state[tag]
                    run = run_child([PY, "-m", "dbmigrate_magic", "migrate", "--yes"], work, env)
                    assert done(url) == n
                    return run

                def down() -> Run:
                    work, url = state[tag]
                    cmd = [PY, "-m", "dbmigrate_magic", "rollback", "--to", f"{app}.zero", "--yes"]
                    run = run_child(cmd, work, env)
                    assert done(url) == 0, run.out[-2000:]
                    return run

                return dry, up, down

            dry, up, down = ours(ENV, "ours")
            contenders = {
                "manage.py migrate": tool_up,
                "dbm migrate --dry-run (preview only)": dry,
                "dbm migrate --yes": up,
                f"manage.py migrate {app} zero": tool_down,
                f"dbm rollback --to {app}.zero --yes": down,
            }
            if args.baseline:
                base_env = dict(ENV, PYTHONPATH=f"{Path(args.baseline).resolve()}")
                bdry, bup, bdown = ours(base_env, "base")
                contenders |= {
                    "baseline: dbm migrate --dry-run": bdry,
                    "baseline: dbm migrate --yes": bup,
                    f"baseline: dbm rollback --to {app}.zero --yes": bdown,
                }
            try:
                s = alternate(contenders, args.runs)
            finally:
                for drop in drops:
                    drop()
            print(f"\n{dialect}:")
            for series in s.values():
                print(series.line())
            up_s, down_s = s["manage.py migrate"], s[f"manage.py migrate {app} zero"]
            print(
                f"  this checkout: migrate / manage.py migrate = {ratio(s['dbm migrate --yes'], up_s)}; dry run / "
                f"manage.py migrate = {ratio(s['dbm migrate --dry-run (preview only)'], up_s)}; rollback / "
                f"manage.py migrate {app} zero = {ratio(s[f'dbm rollback --to {app}.zero --yes'], down_s)}\n    CPU "
                f"seconds: migrate {cpu_ratio(s['dbm migrate --yes'], up_s)}, rollback "
                f"{cpu_ratio(s[f'dbm rollback --to {app}.zero --yes'], down_s)}"
            )
            if args.baseline:
                print(
                    f"  baseline:      migrate = {ratio(s['baseline: dbm migrate --yes'], up_s)}; dry run = "
                    f"{ratio(s['baseline: dbm migrate --dry-run'], up_s)}; rollback = "
                    f"{ratio(s[f'baseline: dbm rollback --to {app}.zero --yes'], down_s)}"
                )
            print(f"  ({load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
