"""``dbm status`` (whole process) against each tool's own status listing, 2,000 migrations applied.

Alembic: ``alembic history`` + ``alembic current``. Django: ``manage.py showmigrations``. Knex:
``npx knex migrate:list``. TypeORM: ``npx typeorm-ts-node-commonjs migration:show`` (ts-node without
type checks, the faster way to run it). Drizzle has no status command: ``drizzle-kit migrate``
finding nothing to do is how a user checks. Prisma: ``prisma migrate status`` when the Prisma CLI is
installed in DBM_NODE_MODULES (it is skipped, and said so, when not). The commands take turns
(A B A B ...) after one warm-up each; peak RSS of each child is printed beside its time. SQLite
databases, so the figures measure the tools rather than a server. Usage:

    python benchmarks/bench_status.py [--n 2000] [--runs 5] [--tools alembic,django,knex,typeorm,drizzle,prisma]
        [--baseline OTHER_CHECKOUT]

``--baseline`` also times the ``dbm status`` of another checkout (e.g. main before a change) in the
same rounds, so before and after come from one run; it reads a copy of the project, so neither
checkout's ``.dbm/cache`` is taken for stale by the other.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "benchmarks"))

from _child import Run, alternate, load, run_child  # noqa: E402

from tests import alembic_project as ap  # noqa: E402
from tests import django_project as dj  # noqa: E402

NODE_MODULES = Path(os.environ.get("DBM_NODE_MODULES", REPO / ".cache" / "node" / "node_modules"))
TOOLS = ("alembic", "django", "knex", "typeorm", "drizzle", "prisma")

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

KNEXFILE = """\
const url = process.env.DATABASE_URL;
module.exports = {
  client: "better-sqlite3",
  connection: { filename: url.replace(/^file:/, "") },
  useNullAsDefault: true,
  migrations: { directory: "./migrations" },
};
"""
KNEX_MIGRATION = """\
exports.up = (knex) => knex.raw("CREATE TABLE t_%(i)d (id int)");
exports.down = (knex) => knex.raw("DROP TABLE t_%(i)d");
"""

DATA_SOURCE = """\
import "reflect-metadata";
import { DataSource } from "typeorm";

export const AppDataSource = new DataSource({
  type: "better-sqlite3",
  database: (process.env.DATABASE_URL || "file:./dev.sqlite3").replace(/^file:/, ""),
  migrations: ["src/migrations/*.ts"],
});
"""
TSCONFIG = (
    '{"compilerOptions": {"target": "ES2020", "module": "commonjs", "experimentalDecorators": true,'
    ' "emitDecoratorMetadata": true, "esModuleInterop": true, "strict": false, "skipLibCheck": true}}\n'
)
TYPEORM_MIGRATION = """\
import { MigrationInterface, QueryRunner } from "typeorm";

export class Step%(i)d%(stamp)d implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE t_%(i)d (id int)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE t_%(i)d`);
  }
}
"""

#: one section of the race: the project's folder, the tool's commands and its environment, and a
#: check that the tool's output lists every migration as applied
Section = tuple[Path, list[list[str]], dict[str, str], Callable[[str], bool]]


def env(tmp: Path, name: str, pythonpath: Path = REPO) -> dict[str, str]:
    """A child's environment. Users' Python caches bytecode (__pycache__) for our package, Alembic's
    revision modules and Django's migrations alike: each contender gets its own cache folder (so
    no checkout is written to), filled by one warm-up run before the timed rounds."""
    e = dict(os.environ, PYTHONPATH=str(pythonpath), NO_COLOR="1", PYTHONPYCACHEPREFIX=str(tmp / "pycache" / name))
    for var in ("DATABASE_URL", "PYTHONDONTWRITEBYTECODE"):
        e.pop(var, None)
    return e


def both(cmds: list[list[str]], cwd: Path, environ: dict[str, str]) -> Run:
    """Run ``cmds`` one after another (``alembic history`` then ``current``) as one timed figure."""
    total = Run(0.0, 0.0, 0, "")
    for cmd in cmds:
        run = run_child(cmd, cwd, environ)
        total.seconds += run.seconds
        total.cpu += run.cpu
        total.peak_mb = max(total.peak_mb, run.peak_mb)
        total.out += run.out
    return total


# --- the projects, each with all N migrations applied ---------------------------------------------
def alembic_project(root: Path, n: int, e: dict[str, str]) -> Section:
    ap.init(root, f"sqlite:///{root / 'dev.db'}")
    versions = root / "alembic" / "versions"
    down = None
    for i in range(n):
        rev = f"{i:04d}{'a' * 8}"
        (versions / f"{rev}_step_{i}.py").write_text(
            REVISION.format(i=i, rev=rev, down=down or "", down_repr=repr(down))
        )
        down = rev
    ap.cli(root, "stamp", "head")  # in a child: Alembic imported here would count in every child's peak RSS
    py = sys.executable
    cmds = [[py, "-m", "alembic", "history"], [py, "-m", "alembic", "current"]]
    return root, cmds, e, lambda out: f"{n - 1:04d}aaaaaaaa (head)" in out


def django_project(root: Path, n: int, e: dict[str, str]) -> Section:
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
    return (
        root,
        [[sys.executable, "manage.py", "showmigrations"]],
        e | {"DATABASE_URL": url},
        lambda out: "[ ]" not in out,
    )


def _npx(root: Path, e: dict[str, str], *args: str) -> None:
    subprocess.run(["npx", "--no-install", *args], cwd=root, env=e, check=True, capture_output=True, timeout=600)


def knex_project(root: Path, n: int, e: dict[str, str]) -> Section:
    """Knex creates its own tables with one real migration; the other rows are recorded in bulk."""
    root.mkdir(parents=True)
    (root / "node_modules").symlink_to(NODE_MODULES)
    (root / "knexfile.js").write_text(KNEXFILE)
    e = e | {"DATABASE_URL": f"file:{root / 'dev.sqlite3'}"}
    (root / ".env").write_text(f"DATABASE_URL={e['DATABASE_URL']}\n")
    folder = root / "migrations"
    folder.mkdir()
    start = dt.datetime(2020, 1, 1)
    names = [(start + dt.timedelta(minutes=i)).strftime("%Y%m%d%H%M%S") + f"_step_{i}.js" for i in range(n)]
    for i, name in enumerate(names):
        (folder / name).write_text(KNEX_MIGRATION % {"i": i})
    _npx(root, e, "knex", "migrate:up", names[0])
    with sqlite3.connect(root / "dev.sqlite3") as db:
        db.executemany(
            "INSERT INTO knex_migrations (name, batch, migration_time) VALUES (?, ?, ?)",
            [(name, 1 + i // 100, 1_700_000_000_000 + i) for i, name in enumerate(names[1:], start=1)],
        )
    return root, [["npx", "--no-install", "knex", "migrate:list"]], e, lambda out: f"Found {n} Completed" in out


def typeorm_project(root: Path, n: int, e: dict[str, str]) -> Section:
    """TypeORM creates its table with the first migration; the other rows are recorded in bulk."""
    root.mkdir(parents=True)
    (root / "node_modules").symlink_to(NODE_MODULES)
    (root / "data-source.ts").write_text(DATA_SOURCE)
    (root / "tsconfig.json").write_text(TSCONFIG)
    e = e | {"DATABASE_URL": f"file:{root / 'dev.sqlite3'}", "TS_NODE_TRANSPILE_ONLY": "1"}
    (root / ".env").write_text(f"DATABASE_URL={e['DATABASE_URL']}\n")
    folder = root / "src" / "migrations"
    folder.mkdir(parents=True)
    stamps = [1_700_000_000_000 + i * 1000 for i in range(n)]
    for i, stamp in enumerate(stamps):
        (folder / f"{stamp}-Step{i}.ts").write_text(TYPEORM_MIGRATION % {"i": i, "stamp": stamp})
        if i == 0:
            _npx(root, e, "typeorm-ts-node-commonjs", "migration:run", "-d", "data-source.ts")
    with sqlite3.connect(root / "dev.sqlite3") as db:
        db.executemany(
            'INSERT INTO "migrations" ("timestamp", "name") VALUES (?, ?)',
            [(stamp, f"Step{i}{stamp}") for i, stamp in enumerate(stamps[1:], start=1)],
        )
    cmd = ["npx", "--no-install", "typeorm-ts-node-commonjs", "migration:show", "-d", "data-source.ts"]
    return root, [cmd], e, lambda out: out.count("[X]") == n and "[ ]" not in out


def drizzle_project(root: Path, n: int, e: dict[str, str]) -> Section:
    """N journal entries as drizzle-kit writes them, applied by drizzle-kit itself."""
    out = root / "drizzle"
    (out / "meta").mkdir(parents=True)
    (root / "drizzle.config.ts").write_text(
        'export default { dialect: "sqlite", out: "./drizzle", dbCredentials: { url: "./app.db" } };\n'
    )
    (root / ".env").write_text("DATABASE_URL=file:./app.db\n")
    (root / "node_modules").symlink_to(NODE_MODULES)
    entries = []
    for i in range(n):
        tag = f"{i:04d}_step_{i}"
        (out / f"{tag}.sql").write_text(f"CREATE TABLE `t{i}` (\n\t`id` integer PRIMARY KEY NOT NULL\n);\n")
        entries.append(
            {"idx": i, "version": "6", "when": 1_700_000_000_000 + i * 1000, "tag": tag, "breakpoints": True}
        )
    (out / "meta" / "_journal.json").write_text(json.dumps({"version": "7", "dialect": "sqlite", "entries": entries}))
    kit = [str(NODE_MODULES / ".bin" / "drizzle-kit"), "migrate"]
    subprocess.run(kit, cwd=root, env=e, check=True, capture_output=True, timeout=600)
    return root, [kit], e, lambda text: "applied successfully" in text or "migrations" in text.lower()


def prisma_project(root: Path, n: int, e: dict[str, str]) -> Section:
    """N migration folders applied by ``prisma migrate deploy`` (only when the Prisma CLI is installed)."""
    migrations = root / "prisma" / "migrations"
    migrations.mkdir(parents=True)
    (root / "node_modules").symlink_to(NODE_MODULES)
    (root / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "sqlite"\n  url = env("DATABASE_URL")\n}\n'
    )
    (migrations / "migration_lock.toml").write_text('provider = "sqlite"\n')
    e = e | {"DATABASE_URL": "file:./app.db"}
    (root / ".env").write_text("DATABASE_URL=file:./app.db\n")
    for i in range(n):
        name = (dt.datetime(2020, 1, 1) + dt.timedelta(minutes=i)).strftime("%Y%m%d%H%M%S") + f"_step_{i}"
        (migrations / name).mkdir()
        (migrations / name / "migration.sql").write_text(f"CREATE TABLE t{i} (id INTEGER);\n")
    _npx(root, e, "prisma", "migrate", "deploy")
    return root, [["npx", "--no-install", "prisma", "migrate", "status"]], e, lambda out: "up to date" in out


BUILDERS = {
    "alembic": (alembic_project, "alembic history + alembic current", None),
    "django": (django_project, "manage.py showmigrations", None),
    "knex": (knex_project, "npx knex migrate:list", "knex"),
    "typeorm": (typeorm_project, "typeorm migration:show", "typeorm"),
    "drizzle": (drizzle_project, "drizzle-kit migrate (no-op; no status command)", "drizzle-kit"),
    "prisma": (prisma_project, "prisma migrate status", "prisma"),
}


def check_ours(cmd: list[str], root: Path, e: dict[str, str], n: int) -> None:
    """Correctness first: ``dbm status`` lists exactly N migrations, all applied."""
    out = run_child([*cmd, "--format", "json"], root, e).out
    rows = json.loads(out)["migrations"]
    states = {r["state"] for r in rows}
    assert len(rows) >= n and states == {"applied"}, (len(rows), states)


def section(tool: str, tmp: Path, n: int, runs: int, baseline: Path | None) -> None:
    build, label, package = BUILDERS[tool]
    if package and not (NODE_MODULES / package / "package.json").is_file():
        print(f"{tool}: skipped ({package} is not installed in {NODE_MODULES}; set DBM_NODE_MODULES)")
        return
    root, cmds, tool_env, listed_all = build(tmp / tool, n, env(tmp, f"{tool}-tool"))
    dbm = [sys.executable, "-m", "dbmigrate_magic", "status"]
    contenders = {"dbm status": ([dbm], root, env(tmp, f"{tool}-dbm"))}
    if baseline:
        # its own copy of the project: the two checkouts' code differs, so each would find the other's
        # .dbm/cache stale and read every file again on every turn, which no user ever sees
        copy = root.with_name(root.name + "-baseline")
        shutil.copytree(root, copy, symlinks=True)
        contenders["baseline: dbm status"] = ([dbm], copy, env(tmp, f"{tool}-base", baseline))
    contenders[label] = (cmds, root, tool_env)
    for name, (c, cwd, e) in contenders.items():  # warm-up (bytecode caches), and both list everything
        if name == label:
            out = both(c, cwd, e).out
            assert listed_all(out), f"{label} does not list all {n} migrations as applied:\n{out[-2000:]}"
        else:
            check_ours(dbm, cwd, e, n)
    s = alternate({name: (lambda c=c: both(*c)) for name, c in contenders.items()}, runs)
    print(f"{tool}, {n} migrations, all applied:")
    for series in s.values():
        print(series.line(46))
    theirs = s[label].median
    for name in contenders:
        if name != label:
            cpu = f"{s[label].cpu / s[name].cpu:.2f}x" if s[name].cpu else "n/a"
            print(f"  {name} is {theirs / s[name].median:.2f}x as fast as {label} (CPU seconds: {cpu})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated, from " + ", ".join(TOOLS))
    parser.add_argument("--baseline", type=Path, help="another checkout of the repository to time in the same rounds")
    args = parser.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    print(f"{args.n} migrations, all applied (SQLite); median of {args.runs} alternating rounds ({load()})")
    with tempfile.TemporaryDirectory(prefix="dbm_bench_status_") as tmp:
        for tool in tools:
            section(tool, Path(tmp), args.n, args.runs, args.baseline.resolve() if args.baseline else None)
            print(f"  ({load()})")


if __name__ == "__main__":
    main()
