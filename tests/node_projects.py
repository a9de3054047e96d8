"""Small real Knex and TypeORM projects for the tests, and the tools' own commands to drive them.

The npm packages come from DBM_NODE_MODULES (installed outside git from tests/node/package.json);
each project links its ``node_modules`` there, exactly as ``npm install`` would leave it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import missing

NODE_MODULES = os.environ.get(
    "DBM_NODE_MODULES", str(Path(__file__).resolve().parent.parent / ".cache" / "node" / "node_modules")
)
PINNED = Path(__file__).resolve().parent / "node" / "package.json"


@functools.cache
def _node_tools_problem(modules: str) -> str | None:
    """Why the Node tools cannot run (None when they can): node, npm and npx on PATH, and every
    package tests/node/package.json pins installed in ``modules`` at its pinned version."""
    absent = [tool for tool in ("node", "npm", "npx") if shutil.which(tool) is None]
    if absent:
        return f"{', '.join(absent)} not on PATH"
    wrong = []
    for name, pinned in json.loads(PINNED.read_text())["dependencies"].items():
        manifest = Path(modules) / name / "package.json"
        installed = json.loads(manifest.read_text()).get("version") if manifest.is_file() else None
        if installed != pinned:
            wrong.append(f"{name}@{pinned} ({installed or 'absent'})")
    if wrong:
        return f"npm packages not installed as pinned in {modules} (set DBM_NODE_MODULES): {', '.join(wrong)}"
    return None


def require_node_modules() -> Path:
    """The pinned node_modules folder; skips (fails under DBM_REQUIRE_SERVERS=1) when anything is missing."""
    problem = _node_tools_problem(NODE_MODULES)
    if problem:
        missing(problem)
    return Path(NODE_MODULES)


def node_url(sqlalchemy_url: str) -> str:
    """The URL as a Node driver takes it (no +psycopg / +pymysql)."""
    return re.sub(r"^postgresql\+psycopg://", "postgres://", re.sub(r"^mysql\+pymysql://", "mysql://", sqlalchemy_url))


def env_value(sqlalchemy_url: str) -> str:
    """What goes in the project's .env: sqlite files as file: paths, servers as Node URLs."""
    if sqlalchemy_url.startswith("sqlite:///"):
        return "file:" + sqlalchemy_url[len("sqlite:///") :]
    return node_url(sqlalchemy_url)


# --- Knex ------------------------------------------------------------------------------------
KNEXFILE = """\
// The connection comes from DATABASE_URL, as in most real projects.
const url = process.env.DATABASE_URL || "file:./dev.sqlite3";
const client = url.startsWith("postgres") ? "pg" : url.startsWith("mysql") ? "mysql2" : "better-sqlite3";
module.exports = {
  client,
  connection: client === "better-sqlite3" ? { filename: url.replace(/^file:/, "") } : url,
  useNullAsDefault: true,
  migrations: { directory: "./db/migrations", tableName: "%(table)s" },
  seeds: { directory: "./seeds" },
};
"""

KNEX_MIGRATION = """\
exports.up = function (knex) {
  return knex.schema.createTable(%(table)r, (t) => { t.increments("id"); t.string("name"); });
};
exports.down = function (knex) {
  return knex.schema.dropTable(%(table)r);
};
"""


def knex_project(root: Path, db_url: str, tables: list[str], table: str = "knex_history") -> Path:
    """A Knex project with one createTable migration per name in ``tables`` (not yet applied)."""
    modules = require_node_modules()
    root.mkdir(parents=True, exist_ok=True)
    (root / "node_modules").symlink_to(modules)
    (root / "knexfile.js").write_text(KNEXFILE % {"table": table})
    (root / ".env").write_text(f"DATABASE_URL={env_value(db_url)}\n")
    folder = root / "db" / "migrations"
    folder.mkdir(parents=True)
    for i, name in enumerate(tables):
        (folder / f"2024010112{i:02d}00_create_{name}.js").write_text(KNEX_MIGRATION % {"table": name})
    return root


def knex(root: Path, db_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The project's own ``npx knex`` with DATABASE_URL set, as a developer would run it."""
    env = dict(os.environ, DATABASE_URL=env_value(db_url), NO_COLOR="1", FORCE_COLOR="0")
    out = subprocess.run(
        ["npx", "--no-install", "knex", *args], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert out.returncode == 0, out.stdout + out.stderr
    return out


def knex_list(root: Path, db_url: str, *args: str) -> tuple[list[str], list[str]]:
    """(completed, pending) file names as ``knex migrate:list [args]`` prints them."""
    text = knex(root, db_url, "migrate:list", *args).stdout
    completed: list[str] = []
    pending: list[str] = []
    current = None
    for line in text.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if re.match(r"Found \d+ Completed", line):
            current = completed
        elif re.match(r"Found \d+ Pending", line):
            current = pending
        elif line.startswith("No ") or not line:
            continue
        elif current is not None and re.match(r"^\d{14}_", line):
            current.append(line)
    return completed, pending


# --- TypeORM -----------------------------------------------------------------------------------
DATA_SOURCE = """\
import "reflect-metadata";
import { DataSource } from "typeorm";

const url = process.env.DATABASE_URL || "file:./dev.sqlite3";
const type = url.startsWith("postgres") ? "postgres" : url.startsWith("mysql") ? "mysql" : "better-sqlite3";

export const AppDataSource = new DataSource(
  type === "better-sqlite3"
    ? { type, database: url.replace(/^file:/, ""), migrations: ["src/migrations/*.ts"], migrationsTableName: "%(table)s" }
    : { type, url, migrations: ["src/migrations/*.ts"], migrationsTableName: "%(table)s" } as any,
);
"""

TSCONFIG = """\
{"compilerOptions": {"target": "ES2020", "module": "commonjs", "experimentalDecorators": true,
 "emitDecoratorMetadata": true, "esModuleInterop": true, "strict": false, "skipLibCheck": true}}
"""

TYPEORM_MIGRATION = """\
import { MigrationInterface, QueryRunner } from "typeorm";

export class %(cls)s implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE %(table)s (id int PRIMARY KEY, name varchar(50))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE %(table)s`);
  }
}
"""


def typeorm_project(root: Path, db_url: str, tables: list[str], table: str = "typeorm_history") -> Path:
    modules = require_node_modules()
    root.mkdir(parents=True, exist_ok=True)
    (root / "node_modules").symlink_to(modules)
    (root / "data-source.ts").write_text(DATA_SOURCE % {"table": table})
    (root / "tsconfig.json").write_text(TSCONFIG)
    (root / ".env").write_text(f"DATABASE_URL={env_value(db_url)}\n")
    folder = root / "src" / "migrations"
    folder.mkdir(parents=True)
    for i, name in enumerate(tables):
        stamp = 1700000000000 + i * 1000
        cls = "Create" + name.title().replace("_", "") + str(stamp)
        (folder / f"{stamp}-Create{name.title().replace('_', '')}.ts").write_text(
            TYPEORM_MIGRATION % {"cls": cls, "table": name}
        )
    return root


def typeorm(root: Path, db_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The project's own TypeORM CLI for TypeScript data sources (ts-node without type checks, for speed:
    what the tool reads and records does not depend on it)."""
    env = dict(os.environ, DATABASE_URL=env_value(db_url), NO_COLOR="1", FORCE_COLOR="0", TS_NODE_TRANSPILE_ONLY="1")
    out = subprocess.run(
        ["npx", "--no-install", "typeorm-ts-node-commonjs", *args, "-d", "data-source.ts"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if check:
        assert out.returncode == 0, out.stdout + out.stderr
    return out


@pytest.fixture
def fast_ts_node(monkeypatch):
    """Our own runs of the TypeORM CLI skip ts-node's type check too (the round-trip test keeps it)."""
    monkeypatch.setenv("TS_NODE_TRANSPILE_ONLY", "1")


def typeorm_show(root: Path, db_url: str) -> tuple[list[str], list[str]]:
    """(applied, pending) class names from ``typeorm migration:show``'s ``[X]`` / ``[ ]`` lines."""
    text = typeorm(root, db_url, "migration:show").stdout
    applied = re.findall(r"^\s*\[X\]\s+(?:\d+\s+)?(\w+)\s*$", text, re.M)
    pending = re.findall(r"^\s*\[ \]\s+(\w+)\s*$", text, re.M)
    return applied, pending
