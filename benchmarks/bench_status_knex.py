"""`dbm status` against `npx knex migrate:list` on a Knex project with 2,000 migrations, all applied.

Both are measured as whole processes (interpreter/node start included), several runs each in the
same session, median reported, and the ratio printed. The database is SQLite by default; pass
``--pg URL`` (a server URL, e.g. postgresql+psycopg://postgres@127.0.0.1/postgres) to run on a
fresh PostgreSQL database instead.

    /work/venv/bin/python benchmarks/bench_status_knex.py [--files 2000] [--runs 5] [--pg URL]

Needs the pinned npm tools (DBM_NODE_MODULES, default /work/node_cache/node_modules).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from _child import load, run_child  # noqa: E402

PEAK: dict[str, float] = {}  # the largest peak RSS (MB) of each command's runs
NODE_MODULES = Path(os.environ.get("DBM_NODE_MODULES", "/work/node_cache/node_modules"))

KNEXFILE = """\
const url = process.env.DATABASE_URL;
const pg = url.startsWith("postgres");
module.exports = {
  client: pg ? "pg" : "better-sqlite3",
  connection: pg ? url : { filename: url.replace(/^file:/, "") },
  useNullAsDefault: true,
  migrations: { directory: "./migrations" },
};
"""
MIGRATION = """\
exports.up = (knex) => knex.raw("CREATE TABLE t_%(i)d (id int)");
exports.down = (knex) => knex.raw("DROP TABLE t_%(i)d");
"""


def build(root: Path, count: int, db_url: str, node_db: str) -> list[str]:
    """Write the project and fill knex_migrations as `knex migrate:latest` would, in bulk (fast)."""
    (root / "node_modules").symlink_to(NODE_MODULES)
    (root / "knexfile.js").write_text(KNEXFILE)
    (root / ".env").write_text(f"DATABASE_URL={node_db}\n")
    folder = root / "migrations"
    folder.mkdir()
    start = dt.datetime(2020, 1, 1)
    names = []
    for i in range(count):
        name = (start + dt.timedelta(minutes=i)).strftime("%Y%m%d%H%M%S") + f"_step_{i}.js"
        (folder / name).write_text(MIGRATION % {"i": i})
        names.append(name)
    # Let knex create its own tables with one real migration, then record the rest in bulk.
    first_only = root / "first"
    first_only.mkdir()
    env = dict(os.environ, DATABASE_URL=node_db)
    subprocess.run(
        ["npx", "--no-install", "knex", "migrate:up", names[0]],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO knex_migrations (name, batch, migration_time) VALUES (:n, :b, :t)"),
            [{"n": n, "b": 1 + i // 100, "t": dt.datetime.now(dt.UTC)} for i, n in enumerate(names[1:], start=1)],
        )
    engine.dispose()
    return names


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    run = run_child(cmd, cwd, env)
    PEAK[cmd[0]] = max(PEAK.get(cmd[0], 0.0), run.peak_mb)
    return run.seconds, run.out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", help="PostgreSQL server URL; a fresh database is created and dropped")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-knex-") as tmp:
        root = Path(tmp)
        drop = None
        if args.pg:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            name = f"bench_knex_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {name}"))
            db_url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
            node_db = db_url.replace("postgresql+psycopg://", "postgres://")

            def drop() -> None:
                with admin.connect() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        else:
            db_url = f"sqlite:///{root / 'dev.sqlite3'}"
            node_db = f"file:{root / 'dev.sqlite3'}"
        try:
            names = build(root, args.files, db_url, node_db)
            # An installed package runs from cached bytecode: allow it here too (a private cache folder)
            env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1", PYTHONPYCACHEPREFIX=str(root / "pycache"))
            for var in ("DATABASE_URL", "PYTHONDONTWRITEBYTECODE"):
                env.pop(var, None)
            knex_env = dict(env, DATABASE_URL=node_db)
            ours_cmd = [sys.executable, "-m", "dbmigrate_magic", "status", str(root), "--format", "json"]
            knex_cmd = ["npx", "--no-install", "knex", "migrate:list"]
            # correctness first: both see every migration applied
            _, out = timed(ours_cmd, root, env)
            states = {r["state"] for r in json.loads(out)["migrations"]}
            assert states == {"applied"} and len(json.loads(out)["migrations"]) == len(names), states
            _, out = timed(knex_cmd, root, knex_env)
            assert f"Found {len(names)} Completed" in out, out[:300]
            ours, theirs = [], []
            for _ in range(args.runs):  # interleaved, so machine load affects both alike
                ours.append(timed(ours_cmd, root, env)[0])
                theirs.append(timed(knex_cmd, root, knex_env)[0])
        finally:
            if drop:
                drop()
    m_ours, m_theirs = statistics.median(ours), statistics.median(theirs)
    where = "PostgreSQL" if args.pg else "SQLite"
    print(f"Knex project, {args.files} migration files, {args.files} applied rows, {where}, {args.runs} runs each")
    print(
        f"  dbm status (whole process)     median {m_ours:.3f} s  (min {min(ours):.3f})  peak RSS {PEAK[sys.executable]:.0f} MB"
    )
    print(
        f"  npx knex migrate:list          median {m_theirs:.3f} s  (min {min(theirs):.3f})  peak RSS {PEAK['npx']:.0f} MB*"
    )
    print(f"  ({load()})")
    print(f"  ratio knex / dbm: {m_theirs / m_ours:.2f}x  (dbm status is {m_theirs / m_ours:.2f} times as fast)")
    print(f"  ratio of the fastest runs (least disturbed by other load): {min(theirs) / min(ours):.2f}x")


if __name__ == "__main__":
    main()
