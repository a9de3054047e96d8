"""SQL-file projects (our raw SQL format, Prisma's migration folders): ``dbm migrate --yes`` against the
floor, the same SQL and bookkeeping in ONE ``psql`` session (PostgreSQL) or one Python ``sqlite3``
process (SQLite), alternating (A B A B ...), whole processes, with each child's peak RSS.

Each migration is a small realistic step (a table with a foreign key to the previous one, an index,
a row); the floor runs it the way ours does: one transaction per migration, with the tracking row
(``_migrations`` / ``_prisma_migrations``) written in the same transaction. ``dbm migrate --dry-run``
(the whole preview) is timed too; the run after it reuses its review (``.dbm/cache``), as a user's
``--dry-run`` then ``--yes`` does, and a ``--yes`` on a fresh copy shows the cold case.

    python benchmarks/bench_sql_files.py [--n 1000] [--runs 3] [--formats rawsql,prisma] [--dialects postgresql,sqlite]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _child import Run, alternate, load, ratio, run_child  # noqa: E402
from bench_migrate import ENV, pg_database  # noqa: E402

PY = sys.executable


def step_sql(i: int) -> str:
    fk = f", parent_id INTEGER REFERENCES t_{i - 1}(id)" if i else ""
    return (
        f"CREATE TABLE t_{i} (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL{fk});\n"
        f"CREATE INDEX t_{i}_name ON t_{i} (name);\n"
        f"INSERT INTO t_{i} (id, name) VALUES (1, 'row {i}');\n"
    )


def write(fmt: str, root: Path, n: int, url: str) -> None:
    if fmt == "rawsql":
        (root / "migrations").mkdir(parents=True)
        (root / ".env").write_text(f"DATABASE_URL={url}\n")
        for i in range(n):
            (root / "migrations" / f"2025{i:010d}_m{i}.sql").write_text(
                f"-- UP\n{step_sql(i)}\n-- DOWN\nDROP TABLE t_{i};\n"
            )
        return
    from tests.prisma_format import write_migration, write_project

    provider = "postgresql" if url.startswith("postgres") else "sqlite"
    migrations = write_project(root, provider, url)
    for i in range(n):
        write_migration(migrations, f"2025{i:010d}_m{i}", step_sql(i))


FLOOR_TABLE = {
    "rawsql": "CREATE TABLE _migrations (id SERIAL PRIMARY KEY, filename VARCHAR(255) NOT NULL UNIQUE, "
    "applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), checksum VARCHAR(64));",
    "prisma": 'CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, '
    '"finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, '
    '"started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0);',
}


def floor_rows(fmt: str, i: int) -> str:
    if fmt == "rawsql":
        return f"INSERT INTO _migrations (filename, applied_at, checksum) VALUES ('2025{i:010d}_m{i}.sql', now(), '{'0' * 64}');"
    return (
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) "
        f"VALUES ('{uuid.uuid4()}', '{'0' * 64}', '2025{i:010d}_m{i}', now(), now(), 1);"
    )


def psql_floor(fmt: str, n: int) -> str:
    lines = [FLOOR_TABLE[fmt]]
    for i in range(n):
        lines += ["BEGIN;", step_sql(i), floor_rows(fmt, i), "COMMIT;"]
    return "\n".join(lines) + "\n"


SQLITE_FLOOR = r"""
import sqlite3, sys, uuid
fmt, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, sys.argv[4])
from bench_sql_files import step_sql
conn = sqlite3.connect(path, isolation_level=None)
if fmt == "rawsql":
    conn.execute("CREATE TABLE _migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, filename TEXT NOT NULL UNIQUE, "
                 "applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum TEXT)")
else:
    conn.execute('CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, '
                 '"finished_at" DATETIME, "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, '
                 '"started_at" DATETIME NOT NULL DEFAULT current_timestamp, '
                 '"applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)')
for i in range(n):
    conn.execute("BEGIN")
    for statement in step_sql(i).split(";\n"):
        if statement.strip():
            conn.execute(statement)
    if fmt == "rawsql":
        conn.execute("INSERT INTO _migrations (filename, checksum) VALUES (?, ?)", (f"2025{i:010d}_m{i}.sql", "0" * 64))
    else:
        conn.execute("INSERT INTO _prisma_migrations (id, checksum, migration_name, finished_at, applied_steps_count) "
                     "VALUES (?, ?, ?, CURRENT_TIMESTAMP, 1)", (str(uuid.uuid4()), "0" * 64, f"2025{i:010d}_m{i}"))
    conn.execute("COMMIT")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="rawsql,prisma")
    parser.add_argument("--dialects", default="postgresql,sqlite")
    parser.add_argument("--baseline", help="another checkout of the repository to time in the same rounds")
    args = parser.parse_args()
    n = args.n
    print(f"SQL-file projects, {n} migrations; median of {args.runs} alternating runs ({load()})")
    with tempfile.TemporaryDirectory(prefix="dbm_bench_") as tmp:
        drops: list = []

        def database(dialect: str, work: Path):
            if dialect == "postgresql":
                url, parsed, drop = pg_database()
                drops.append(drop)
                return url, parsed
            return f"sqlite:///{work / 'bench.db'}", None

        for fmt in args.formats.split(","):
            for dialect in args.dialects.split(","):
                state: dict[str, Path] = {}

                def fresh(fmt=fmt, dialect=dialect) -> Path:
                    work = Path(tmp) / f"{fmt}_{dialect}_{uuid.uuid4().hex[:8]}"
                    work.mkdir()
                    url, _ = database(dialect, work)
                    write(fmt, work, n, url)
                    return work

                def ours(env: dict[str, str], tag: str):
                    def dry() -> Run:
                        state[tag] = fresh()
                        return run_child([PY, "-m", "dbmigrate_magic", "migrate", "--dry-run"], state[tag], env)

                    def warm() -> Run:
                        return run_child([PY, "-m", "dbmigrate_magic", "migrate", "--yes"], state[tag], env)

                    def cold() -> Run:
                        return run_child([PY, "-m", "dbmigrate_magic", "migrate", "--yes"], fresh(), env)

                    return dry, warm, cold

                def floor(fmt=fmt, dialect=dialect) -> Run:
                    work = Path(tmp) / f"floor_{uuid.uuid4().hex[:8]}"
                    work.mkdir()
                    url, parsed = database(dialect, work)
                    if dialect == "postgresql":
                        script = work / "floor.sql"
                        script.write_text(psql_floor(fmt, n))
                        cmd = ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", parsed.host or "127.0.0.1"]
                        cmd += ["-p", str(parsed.port or 5432), "-U", parsed.username or "postgres"]
                        return run_child([*cmd, "-d", parsed.database, "-f", str(script)], env=ENV)
                    prog = work / "floor.py"
                    prog.write_text(SQLITE_FLOOR)
                    return run_child([PY, str(prog), fmt, str(n), str(work / "bench.db"), str(HERE)])

                dry, warm, cold = ours(ENV, "ours")
                contenders = {
                    "floor (one session)": floor,
                    "dbm migrate --dry-run": dry,
                    "dbm migrate --yes (after the dry run)": warm,
                    "dbm migrate --yes (cold)": cold,
                }
                if args.baseline:
                    base_env = dict(ENV, PYTHONPATH=str(Path(args.baseline).resolve()))
                    dry, warm, cold = ours(base_env, "base")
                    contenders |= {
                        "baseline: dbm migrate --dry-run": dry,
                        "baseline: dbm migrate --yes (after the dry run)": warm,
                        "baseline: dbm migrate --yes (cold)": cold,
                    }
                try:
                    s = alternate(contenders, args.runs)
                finally:
                    for drop in drops:
                        drop()
                    drops.clear()
                print(f"\n{fmt}, {dialect}:")
                for series in s.values():
                    print(series.line(50))
                fl = s["floor (one session)"]
                for prefix in ("", "baseline: ") if args.baseline else ("",):
                    print(
                        f"  {prefix or 'this checkout: '}yes after dry run / floor = "
                        f"{ratio(s[prefix + 'dbm migrate --yes (after the dry run)'], fl)}; cold / floor = "
                        f"{ratio(s[prefix + 'dbm migrate --yes (cold)'], fl)}; dry run / floor = "
                        f"{ratio(s[prefix + 'dbm migrate --dry-run'], fl)}"
                    )
                print(f"  ({load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
