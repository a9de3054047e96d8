"""The Node tools' own seeds, found in the project and run for real against the selected database:
``knex seed:run`` (the knexfile's seeds.directory), a Prisma-style ``prisma.seed`` command in
package.json, and a TypeORM project's ``seed`` script through npm.

Each checks what a user checks: the rows arrived, the tool's output is shown, a failing seed
reports its exit code and message, and a planted password shows up nowhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbmigrate_magic.context import resolve_context
from dbmigrate_magic.errors import ConfigError, DbmError, ToolMissing
from dbmigrate_magic.masking import register_secret
from dbmigrate_magic.seeding.native import NativeSeed, find_native_seeds, run_native_seed
from tests.helpers import query
from tests.node_projects import knex, knex_project, require_node_modules, typeorm, typeorm_project

pytestmark = pytest.mark.node
PASSWORD = "pl4nted-Seed-Secret-7"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def node_db(request, tmp_path):
    """A SQLite file, or a PostgreSQL database whose URL carries a planted password (trust
    authentication ignores it, so it must simply never show up)."""
    if request.param == "sqlite":
        (tmp_path / "data").mkdir()
        return f"sqlite:///{tmp_path / 'data' / 'chosen.sqlite3'}"
    register_secret(PASSWORD)
    return request.getfixturevalue("pg_url").replace("postgres@", f"postgres:{PASSWORD}@", 1)


def no_password(*things: object) -> None:
    for thing in things:
        assert PASSWORD not in repr(thing) and PASSWORD not in str(thing), thing


def run_failing(seed: NativeSeed, ctx) -> object:
    """Run a seed expected to fail; an exception (which it must not be) is checked for the password too."""
    try:
        return run_native_seed(seed, ctx)
    except DbmError as exc:  # pragma: no cover - the assertion below reports it
        no_password(exc, exc.__dict__)
        raise


# --- Knex ---------------------------------------------------------------------------------------
GOOD_KNEX_SEED = """\
exports.seed = async function (knex) {
  await knex("countries").del();
  await knex("countries").insert([{ id: 1, name: "France" }, { id: 2, name: "Japan" }]);
  console.log("countries seeded on " + JSON.stringify(knex.client.config.connection));
};
"""
BAD_KNEX_SEED = """\
exports.seed = async function (knex) {
  throw new Error("plan 'gold' has no price; connection was " + process.env.DBM_NODE_CONNECTION);
};
"""


def test_knex_seed_run_from_the_knexfile_directory(tmp_path, node_db):
    project = knex_project(tmp_path / "app", node_db, ["countries"])
    knex(project, node_db, "migrate:latest")
    # the project's .env points elsewhere: the seed must reach the environment dbm selected
    (project / ".env").write_text("DATABASE_URL=file:./not-this-one.sqlite3\n")
    ctx = resolve_context(project, node_db)
    assert find_native_seeds(ctx) == []  # the knexfile's seeds directory does not exist yet

    (project / "seeds").mkdir()
    (project / "seeds" / "01_countries.js").write_text(GOOD_KNEX_SEED)
    seeds = find_native_seeds(ctx)
    assert seeds == [NativeSeed("knex", "knex seed:run (seeds/)", ("knex", "seed:run"), "knexfile seeds.directory")]

    run = run_native_seed(seeds[0], ctx)
    assert run.ok and run.exit_code == 0, run.output
    assert "countries seeded on" in run.output and "Ran 1 seed files" in run.output
    assert query(node_db, "SELECT id, name FROM countries ORDER BY id") == [(1, "France"), (2, "Japan")]
    assert not (project / "not-this-one.sqlite3").exists()
    assert run.seconds > 0

    (project / "seeds" / "02_plans.js").write_text(BAD_KNEX_SEED)
    failed = run_failing(seeds[0], ctx)
    assert not failed.ok and failed.exit_code != 0
    assert "plan 'gold' has no price" in failed.output
    no_password(seeds, run, failed, run.output, failed.output)

    # knex not installed: nothing runs, and the message says what to do
    (project / "node_modules").unlink()
    with pytest.raises(ToolMissing) as caught:
        run_native_seed(seeds[0], ctx)
    assert "npm install" in (caught.value.next_step or "")
    no_password(caught.value, caught.value.__dict__)


def test_knex_default_seeds_directory(tmp_path, sqlite_url):
    project = knex_project(tmp_path / "app", sqlite_url, [])
    knexfile = project / "knexfile.js"
    knexfile.write_text(knexfile.read_text().replace('  seeds: { directory: "./seeds" },\n', ""))
    (project / "seeds").mkdir()
    (project / "seeds" / "notes.txt").write_text("not a seed")
    ctx = resolve_context(project, sqlite_url)
    assert find_native_seeds(ctx) == []  # no loadable seed file
    (project / "seeds" / "01_x.js").write_text("exports.seed = async () => {};\n")
    assert [(s.label, s.source) for s in find_native_seeds(ctx)] == [
        ("knex seed:run (seeds/)", "Knex's default seeds directory")
    ]


# --- Prisma-style package.json prisma.seed ---------------------------------------------------------
SCHEMA = """\
datasource db {
  provider = "%(provider)s"
  url      = env("PRISMA_DB_URL")
}
"""
PRISMA_SEED = """\
// Inserts with the drivers the project has, reading the URL Prisma would hand it (PRISMA_DB_URL).
const url = process.env.PRISMA_DB_URL;
const rows = [[1, "free"], [2, "pro"]];
async function main() {
  if (url.startsWith("file:")) {
    const db = require("better-sqlite3")(url.slice(5));
    db.exec("CREATE TABLE IF NOT EXISTS plans (id integer PRIMARY KEY, name text)");
    const insert = db.prepare("INSERT INTO plans (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING");
    for (const r of rows) insert.run(...r);
    db.close();
  } else {
    const { Client } = require("pg");
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query("CREATE TABLE IF NOT EXISTS plans (id integer PRIMARY KEY, name text)");
    for (const r of rows) await client.query("INSERT INTO plans VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", r);
    await client.end();
  }
  console.log("seeded " + rows.length + " plans into " + url);
}
main().catch((e) => { console.error(e); process.exit(1); });
"""
PRISMA_BAD_SEED = """\
console.error("plan 'gold' has no price (database " + process.env.PRISMA_DB_URL + ")");
process.exit(3);
"""


def prisma_project(root: Path, url: str, seed: str) -> Path:
    (root / "prisma" / "migrations").mkdir(parents=True)
    (root / "node_modules").symlink_to(require_node_modules())
    provider = "sqlite" if url.startswith("sqlite") else "postgresql"
    (root / "prisma" / "schema.prisma").write_text(SCHEMA % {"provider": provider})
    (root / "prisma" / "seed.js").write_text(PRISMA_SEED)
    (root / "prisma" / "bad.js").write_text(PRISMA_BAD_SEED)
    (root / ".env").write_text("PRISMA_DB_URL=file:./not-this-one.db\n")
    (root / "package.json").write_text(json.dumps({"name": "shop", "private": True, "prisma": {"seed": seed}}))
    return root


def test_prisma_seed_command_from_package_json(tmp_path, node_db):
    project = prisma_project(tmp_path / "app", node_db, "node prisma/seed.js")
    ctx = resolve_context(project, node_db)
    seeds = find_native_seeds(ctx)
    assert seeds == [
        NativeSeed(
            "prisma", "prisma db seed (node prisma/seed.js)", ("node", "prisma/seed.js"), "package.json prisma.seed"
        )
    ]
    run = run_native_seed(seeds[0], ctx)
    assert run.ok, run.output
    assert "seeded 2 plans into" in run.output
    assert query(node_db, "SELECT id, name FROM plans ORDER BY id") == [(1, "free"), (2, "pro")]
    assert not (project / "prisma" / "not-this-one.db").exists() and not (project / "not-this-one.db").exists()

    # the command changed after the preview: nothing runs
    (project / "package.json").write_text(json.dumps({"prisma": {"seed": "node prisma/bad.js"}}))
    with pytest.raises(DbmError, match="changed since the preview"):
        run_native_seed(seeds[0], ctx)

    bad = find_native_seeds(ctx)
    failed = run_failing(bad[0], ctx)
    assert failed.exit_code == 3 and not failed.ok
    assert "plan 'gold' has no price" in failed.output
    no_password(seeds, bad, run, failed, run.output, failed.output)


def test_prisma_config_seed_and_nothing_found(tmp_path, sqlite_url):
    project = prisma_project(tmp_path / "app", sqlite_url, "")
    ctx = resolve_context(project, sqlite_url)
    assert find_native_seeds(ctx) == []  # an empty prisma.seed is no seed
    (project / "prisma.config.ts").write_text(
        'import { defineConfig, env } from "prisma/config";\n'
        "export default defineConfig({\n"
        '  schema: "prisma/schema.prisma",\n'
        '  migrations: { path: "prisma/migrations", seed: "node prisma/seed.js" },\n'
        '  datasource: { url: env("PRISMA_DB_URL") },\n'
        "});\n"
    )
    seeds = find_native_seeds(ctx)
    assert [(s.command, s.source) for s in seeds] == [(("node", "prisma/seed.js"), "prisma.config.ts migrations.seed")]
    assert run_native_seed(seeds[0], ctx).ok
    assert query(sqlite_url, "SELECT count(*) FROM plans") == [(2,)]
    with pytest.raises(ConfigError, match="Fixtures are Django's"):
        find_native_seeds(ctx, fixtures=["countries"])


# --- TypeORM: a package.json seed script through npm ----------------------------------------------
TYPEORM_SEED = """\
import { AppDataSource } from "../data-source";

AppDataSource.initialize().then(async (ds) => {
  await ds.query("DELETE FROM plans");
  await ds.query("INSERT INTO plans (id, name) VALUES (1, 'free'), (2, 'pro'), (3, 'team')");
  console.log("typeorm seed: 3 plans");
  await ds.destroy();
});
"""


def test_typeorm_seed_script_through_npm(tmp_path, node_db, monkeypatch):
    monkeypatch.setenv("TS_NODE_TRANSPILE_ONLY", "1")
    project = typeorm_project(tmp_path / "app", node_db, ["plans"])
    typeorm(project, node_db, "migration:run")
    (project / ".env").write_text("DATABASE_URL=file:./not-this-one.sqlite3\n")
    (project / "src" / "seed.ts").write_text(TYPEORM_SEED)
    scripts = {"build": "tsc", "seed": "ts-node src/seed.ts"}
    (project / "package.json").write_text(json.dumps({"name": "shop", "private": True, "scripts": scripts}))
    ctx = resolve_context(project, node_db)
    seeds = find_native_seeds(ctx)
    assert seeds == [NativeSeed("typeorm", "npm run seed", ("npm", "run", "seed"), "package.json scripts.seed")]
    run = run_native_seed(seeds[0], ctx)
    assert run.ok, run.output
    assert "typeorm seed: 3 plans" in run.output
    assert query(node_db, "SELECT id, name FROM plans ORDER BY id") == [(1, "free"), (2, "pro"), (3, "team")]
    assert not (project / "not-this-one.sqlite3").exists()

    scripts["seed"] = "node -e \"console.error('seed failed for ' + process.env.DATABASE_URL); process.exit(4)\""
    (project / "package.json").write_text(json.dumps({"name": "shop", "private": True, "scripts": scripts}))
    failed = run_failing(seeds[0], ctx)
    assert failed.exit_code == 4 and not failed.ok
    assert "seed failed for" in failed.output
    no_password(seeds, run, failed, run.output, failed.output)


# --- Drizzle: a db:seed script, the URL in the variable drizzle.config reads ---------------------------
DRIZZLE_CONFIG = """\
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "%(dialect)s",
  schema: "./src/schema.ts",
  out: "./drizzle",
  dbCredentials: { url: process.env.SHOP_DB_URL },
});
"""


def test_drizzle_db_seed_script_gets_the_configs_variable(tmp_path, node_db):
    project = tmp_path / "app"
    (project / "drizzle").mkdir(parents=True)
    (project / "node_modules").symlink_to(require_node_modules())
    dialect = "sqlite" if node_db.startswith("sqlite") else "postgresql"
    (project / "drizzle.config.ts").write_text(DRIZZLE_CONFIG % {"dialect": dialect})
    (project / "seed.js").write_text(PRISMA_SEED.replace("PRISMA_DB_URL", "SHOP_DB_URL"))
    scripts = {"db:seed": "node seed.js", "dev": "node server.js"}
    (project / "package.json").write_text(json.dumps({"name": "shop", "private": True, "scripts": scripts}))
    ctx = resolve_context(project, node_db)
    seeds = find_native_seeds(ctx)
    assert seeds == [
        NativeSeed("drizzle", "npm run db:seed", ("npm", "run", "db:seed"), "package.json scripts.db:seed")
    ]
    run = run_native_seed(seeds[0], ctx)
    assert run.ok, run.output
    assert "seeded 2 plans into" in run.output
    assert query(node_db, "SELECT id, name FROM plans ORDER BY id") == [(1, "free"), (2, "pro")]
    no_password(seeds, run, run.output)
