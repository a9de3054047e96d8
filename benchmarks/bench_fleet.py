"""Fleet speed: ``dbm migrate --fleet --parallel 4`` against the shell loop a team would write, same run.

    python benchmarks/bench_fleet.py [--tenants 200] [--migrations 20] [--runs 3] [--alembic-runs 1]
                                     [--parallel 4] [--skip-alembic] [--skip-rawsql]

PostgreSQL, ``--tenants`` schemas in one database, ``--migrations`` migrations each:
- raw SQL: ``python -m dbmigrate_magic migrate --fleet --parallel K --yes`` (tracking table per
  schema, one transaction per migration) vs ``for s in SCHEMAS; do for f in FILES; do
  PGOPTIONS=-csearch_path=$s psql -1 -f $f; done; done`` (no tracking at all);
- Alembic: the same migrations as Alembic revisions, ``dbm migrate --fleet`` vs ``for s in SCHEMAS;
  do DATABASE_URL=...search_path=$s alembic upgrade head; done``.
Every run starts from a fresh database (created outside the timing); ours and the loop alternate
(A B A B), whole-process wall times, medians, ratio = loop / ours. While ours runs, the database's
busy sessions are sampled: the most seen at once shows that at most K migrations ran at a time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PG = os.environ.get("DBM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def migration_sql(i: int) -> str:
    return (
        f"CREATE TABLE t{i:02d} (id BIGINT PRIMARY KEY, name TEXT NOT NULL, created_at TIMESTAMPTZ DEFAULT now());\n"
        f"CREATE INDEX t{i:02d}_name ON t{i:02d} (name);\n"
    )


def fresh_database(schemas: list[str]) -> tuple[str, str]:
    """A new database holding the tenant schemas; its SQLAlchemy URL and its name."""
    name = f"dbm_bench_fleet_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = make_url(PG).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("; ".join(f"CREATE SCHEMA {s}" for s in schemas)))
    engine.dispose()
    return url, name


def drop_database(name: str) -> None:
    admin = create_engine(PG, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def fleet_file(root: Path, schemas: list[str]) -> None:
    lines = ['name = "bench"'] + [f'[[targets]]\nname = "{s}"\nschema = "{s}"' for s in schemas]
    (root / "fleet.toml").write_text("\n".join(lines) + "\n")


def rawsql_project(root: Path, schemas: list[str], n: int) -> list[Path]:
    (root / "migrations").mkdir(parents=True)
    files = []
    for i in range(1, n + 1):
        path = root / "migrations" / f"2024010100{i:04d}_t{i:02d}.sql"
        path.write_text(f"-- UP\n{migration_sql(i)}")
        files.append(path)
    fleet_file(root, schemas)
    return files


def alembic_project(root: Path, schemas: list[str], n: int) -> None:
    from tests import alembic_project as ap

    ap.init(root, PG)
    env_py = root / "alembic" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "config = context.config\n",
            'config = context.config\nimport os\nif os.environ.get("DATABASE_URL"):\n'
            '    config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"].replace("%", "%%"))\n',
        )
    )
    with contextlib.redirect_stdout(io.StringIO()):  # Alembic's "Generating ... done" lines
        for i in range(1, n + 1):
            ap.revision(root, f"r{i:02d}", f"t{i:02d}", up=migration_sql(i), down=f"DROP TABLE t{i:02d}")
    fleet_file(root, schemas)


def with_schema(url: str, schema: str) -> str:
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class SessionSampler:
    """The most busy sessions (in a statement or a transaction) seen at once, the sampler's own excluded."""

    def __init__(self, url: str, name: str):
        self.engine = create_engine(url, poolclass=NullPool)
        self.name = name
        self.most = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        sql = text(  # sessions doing something: running a statement or inside a transaction
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid() AND state <> 'idle'"
        )
        with self.engine.connect() as conn:
            while not self.stop.is_set():
                self.most = max(self.most, conn.execute(sql, {"d": self.name}).scalar() or 0)
                conn.rollback()
                time.sleep(0.01)

    def __enter__(self) -> SessionSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        self.engine.dispose()


def run_timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return elapsed


def ours(project: Path, parallel: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dbmigrate_magic",
        "migrate",
        str(project),
        "--fleet",
        "--parallel",
        str(parallel),
        "--yes",
    ]


def compare(label, schemas, runs, parallel, project, loop_cmd) -> tuple[float, float, int]:
    """A B A B: ours then the loop, each on a fresh database; medians and the most sessions seen."""
    mine, theirs, most = [], [], 0
    base_env = {**os.environ, "PYTHONPATH": str(REPO)}
    for r in range(runs):
        for side in ("ours", "loop"):
            url, name = fresh_database(schemas)
            (project / ".env").write_text(f"DATABASE_URL={url}\n")
            env = dict(base_env)
            try:
                if side == "ours":
                    env.pop("DATABASE_URL", None)
                    with SessionSampler(url, name) as sampler:
                        mine.append(run_timed(ours(project, parallel), env))
                    most = max(most, sampler.most)
                else:
                    theirs.append(run_timed(["bash", "-c", loop_cmd(url)], env))
            finally:
                drop_database(name)
        print(f"  {label} run {r + 1}: ours {mine[-1]:.1f}s, loop {theirs[-1]:.1f}s", flush=True)
    return statistics.median(mine), statistics.median(theirs), most


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tenants", type=int, default=200)
    ap.add_argument("--migrations", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--alembic-runs", type=int, default=1)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--skip-alembic", action="store_true")
    ap.add_argument("--skip-rawsql", action="store_true")
    args = ap.parse_args()
    schemas = [f"tenant_{i:03d}" for i in range(args.tenants)]
    quoted = " ".join(schemas)
    print(
        f"{args.tenants} PostgreSQL tenant schemas x {args.migrations} migrations, ours with --parallel {args.parallel}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        files = rawsql_project(raw, schemas, args.migrations)
        listed = " ".join(shlex.quote(str(f)) for f in files)

        def psql_loop(url: str) -> str:
            return (
                f"for s in {quoted}; do for f in {listed}; do PGOPTIONS=-csearch_path=$s "
                f"psql -X -q -1 -v ON_ERROR_STOP=1 -d {shlex.quote(libpq(url))} -f $f >/dev/null || exit 1; "
                "done; done"
            )

        if not args.skip_rawsql:
            rows.append(
                ("raw SQL vs psql -1 -f loop", *compare("raw SQL", schemas, args.runs, args.parallel, raw, psql_loop))
            )
        if not args.skip_alembic:
            alem = Path(tmp) / "alembic"
            alembic_project(alem, schemas, args.migrations)

            def alembic_loop(url: str) -> str:
                return (
                    f"cd {shlex.quote(str(alem))} && for s in {quoted}; do "
                    f'DATABASE_URL="{url}?options=-csearch_path%3D$s" {shlex.quote(sys.executable)} -m alembic '
                    "upgrade head >/dev/null 2>&1 || exit 1; done"
                )

            rows.append(
                ("Alembic vs alembic upgrade head loop",
                 *compare("Alembic", schemas, args.alembic_runs, args.parallel, alem, alembic_loop))
            )  # fmt: skip
    print(f"\n{'comparison':40} {'ours':>8} {'loop':>8} {'ratio':>6}  most busy sessions at once")
    for label, mine, theirs, most in rows:
        print(f"{label:40} {mine:7.1f}s {theirs:7.1f}s {theirs / mine:5.1f}x  {most} (K={args.parallel})")


if __name__ == "__main__":
    main()
