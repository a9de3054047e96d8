"""``migrations`` as a diff side, ``dbm drift`` and ``generate --down-for`` for every tool:
the project's migrations replayed onto a scratch database with the tool's own apply.

Each case builds a real project with three migrations (authors, books, reviews), applies it with
``dbm migrate``, changes the live database by hand (a column added, an index added, a column
dropped) and checks what a user sees: drift empty before, exactly those three differences after,
SQL that brings a freshly migrated copy in line, no tracking table in any comparison, and no
scratch database left behind, also when a replayed migration fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import dbm_env, new_database
from dbmigrate_magic import scratch
from dbmigrate_magic.schema import diff
from dbmigrate_magic.schema.diff import for_piping
from tests import alembic_project, django_project
from tests.drizzle_kit import DrizzleProject
from tests.helpers import execute, make_project, scalar
from tests.node_projects import TSCONFIG, knex_project, typeorm_project
from tests.prisma_format import write_migration, write_project
from tests.schema_support import load, model

TABLES = ["authors", "books", "reviews"]
BY_HAND = [
    "ALTER TABLE authors ADD COLUMN nickname varchar(40)",
    "CREATE INDEX books_name_idx ON books (name)",
    "ALTER TABLE reviews DROP COLUMN name",
]
EXPECTED = {
    ("column", "authors.nickname", "added"),
    ("index", "books_name_idx", "added"),
    ("column", "reviews.name", "removed"),
}
BROKEN_SQL = "ALTER TABLE no_such_table ADD COLUMN x int"
CREATE = "CREATE TABLE {t} (id int PRIMARY KEY, name varchar(50))"


# --- one real project per tool ------------------------------------------------------------------
@dataclass
class Tool:
    """How to build a three-migration project for a tool, and how to add a broken fourth one."""

    name: str
    make: Callable[[Path, str, str], Path]  # (root, url, dialect) -> project root
    broken: Callable[[Path, str], str]  # (root, dialect) -> the broken migration's name, as dbm shows it
    tracking: Callable[[str], set[str]]  # dialect -> tracking (and lock) tables the tool creates


KNEX_TS_MIGRATION = """import type { Knex } from "knex";
export async function up(knex: Knex) { %s }
export async function down(knex: Knex) {}
"""


def knex_make(root: Path, url: str, dialect: str) -> Path:
    # the configured table name on one dialect, knex's default on the other
    knex_project(root, url, TABLES, table=knex_table(dialect))
    if dialect == "sqlite":  # TypeScript, and the database file relative to the project
        knexfile = root / "knexfile.js"
        (root / "knexfile.ts").write_text(knexfile.read_text().replace("module.exports =", "export default"))
        knexfile.unlink()
        (root / "tsconfig.json").write_text(TSCONFIG)
        for js in sorted((root / "db" / "migrations").glob("*.js")):
            table = js.stem.split("_create_")[1]
            js.with_suffix(".ts").write_text(
                KNEX_TS_MIGRATION
                % (f'await knex.schema.createTable("{table}", (t) => {{ t.increments("id"); t.string("name"); }});')
            )
            js.unlink()
        (root / ".env").write_text("DATABASE_URL=file:../live.db\n")
    return root


def knex_table(dialect: str) -> str:
    return "knex_migrations" if dialect == "postgresql" else "knex_history"


def knex_broken(root: Path, dialect: str) -> str:
    if dialect == "sqlite":
        name = "20240101120300_broken.ts"
        (root / "db" / "migrations" / name).write_text(KNEX_TS_MIGRATION % f'await knex.raw("{BROKEN_SQL}");')
        return name
    name = "20240101120300_broken.js"
    (root / "db" / "migrations" / name).write_text(
        f'exports.up = (knex) => knex.raw("{BROKEN_SQL}");\nexports.down = async () => {{}};\n'
    )
    return name


def typeorm_make(root: Path, url: str, dialect: str) -> Path:
    return typeorm_project(root, url, TABLES, table=typeorm_table(dialect))


def typeorm_table(dialect: str) -> str:
    return "migrations" if dialect == "postgresql" else "typeorm_history"


def typeorm_broken(root: Path, dialect: str) -> str:
    (root / "src" / "migrations" / "1700000005000-Broken.ts").write_text(
        'import { MigrationInterface, QueryRunner } from "typeorm";\n'
        "export class Broken1700000005000 implements MigrationInterface {\n"
        f'  async up(q: QueryRunner) {{ await q.query("{BROKEN_SQL}"); }}\n'
        "  async down(q: QueryRunner) {}\n}\n"
    )
    return "Broken1700000005000"


def prisma_make(root: Path, url: str, dialect: str) -> Path:
    migrations = write_project(root, dialect, url)
    for i, t in enumerate(TABLES):
        write_migration(migrations, f"2025010{i + 1}000000_{t}", CREATE.format(t=t) + ";\n")
    return root


def prisma_broken(root: Path, dialect: str) -> str:
    write_migration(root / "prisma" / "migrations", "20250109000000_broken", BROKEN_SQL + ";\n")
    return "20250109000000_broken"


def drizzle_make(root: Path, url: str, dialect: str) -> Path:
    p = DrizzleProject(root, url)
    for i in range(len(TABLES)):
        p.schema({t: ["name"] for t in TABLES[: i + 1]})
        p.generate(f"create_{TABLES[i]}")
    return root


def drizzle_broken(root: Path, dialect: str) -> str:
    p = DrizzleProject.__new__(DrizzleProject)
    p.root, p.modules = root, Path(root / "node_modules").resolve()
    path = p.generate("broken", custom=True)
    path.write_text(BROKEN_SQL + ";\n")
    return path.stem


def alembic_make(root: Path, url: str, dialect: str) -> Path:
    alembic_project.init(root, url)
    if dialect == "mysql":  # env.py takes the URL from DATABASE_URL; alembic.ini keeps a placeholder
        ini = root / "alembic.ini"
        ini.write_text(ini.read_text().replace(url, "driver://user:pass@localhost/dbname"))
        env_py = root / "alembic" / "env.py"
        env_py.write_text(
            env_py.read_text().replace(
                "config = context.config\n",
                'config = context.config\nimport os\nconfig.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])\n',
            )
        )
        (root / ".env").write_text(f"DATABASE_URL={url}\n")
    for i, t in enumerate(TABLES):
        alembic_project.revision(root, f"r{i + 1}", f"create {t}", up=CREATE.format(t=t), down=f"DROP TABLE {t}")
    return root


def alembic_broken(root: Path, dialect: str) -> str:
    alembic_project.revision(root, "r9", "broken", up=BROKEN_SQL, down="SELECT 1")
    return "r9"


def django_make(root: Path, url: str, dialect: str) -> Path:
    django_project.startproject(root, url, ["shop"])
    previous: list[tuple[str, str]] = []
    for i, t in enumerate(TABLES):
        name = f"000{i + 1}_{t}"
        django_project.migration(root, "shop", name, previous, CREATE.format(t=t), f"DROP TABLE {t}")
        previous = [("shop", name)]
    return root


def django_broken(root: Path, dialect: str) -> str:
    django_project.migration(root, "shop", "0004_broken", [("shop", "0003_reviews")], BROKEN_SQL, "SELECT 1")
    return "shop.0004_broken"


def rawsql_make(root: Path, url: str, dialect: str) -> Path:
    return make_project(
        root,
        url,
        {
            f"2025010{i + 1}090000_{t}.sql": f"-- UP\n{CREATE.format(t=t)};\n-- DOWN\nDROP TABLE {t};\n"
            for i, t in enumerate(TABLES)
        },
    )


def rawsql_broken(root: Path, dialect: str) -> str:
    (root / "migrations" / "20250109090000_broken.sql").write_text(f"-- UP\n{BROKEN_SQL};\n")
    return "20250109090000_broken.sql"


TOOLS = {
    "rawsql": Tool("rawsql", rawsql_make, rawsql_broken, lambda d: {"_migrations"}),
    "knex": Tool("knex", knex_make, knex_broken, lambda d: {knex_table(d), knex_table(d) + "_lock"}),
    "typeorm": Tool("typeorm", typeorm_make, typeorm_broken, lambda d: {typeorm_table(d)}),
    "prisma": Tool("prisma", prisma_make, prisma_broken, lambda d: {"_prisma_migrations"}),
    "drizzle": Tool("drizzle", drizzle_make, drizzle_broken, lambda d: {"__drizzle_migrations"}),
    "alembic": Tool("alembic", alembic_make, alembic_broken, lambda d: {"alembic_version"}),
    "django": Tool("django", django_make, django_broken, lambda d: {"django_migrations"}),
}
NODE = {"knex", "typeorm", "drizzle"}
# every tool on PostgreSQL, and each on one of MariaDB / SQLite
CASES = [(t, "postgresql") for t in TOOLS] + [
    ("rawsql", "sqlite"),
    ("knex", "mysql"),
    ("knex", "sqlite"),
    ("typeorm", "sqlite"),
    ("prisma", "mysql"),
    ("drizzle", "sqlite"),
    ("alembic", "mysql"),
    ("django", "sqlite"),
]


def case_param(tool: str, dialect: str):
    marks = {"postgresql": [pytest.mark.postgres], "mysql": [pytest.mark.mysql]}.get(dialect, [])
    if tool in NODE:
        marks.append(pytest.mark.node)
    return pytest.param(tool, dialect, id=f"{tool}-{dialect}", marks=marks)


# --- databases and the CLI --------------------------------------------------------------------
class Databases:
    """Fresh databases of one dialect, dropped at the end."""

    def __init__(self, dialect: str, tmp_path: Path):
        self.dialect, self.tmp_path, self.drops = dialect, tmp_path, []

    def new(self, label: str) -> str:
        if self.dialect == "sqlite":
            return f"sqlite:///{self.tmp_path / (label + '.db')}"
        url, drop = new_database("postgres" if self.dialect == "postgresql" else "mysql")
        self.drops.append(drop)
        return url


@pytest.fixture
def databases(request, tmp_path):
    made: list[Databases] = []

    def make(dialect: str) -> Databases:
        made.append(Databases(dialect, tmp_path))
        return made[-1]

    yield make
    for d in made:
        for drop in d.drops:
            drop()


class Dbm:
    """The real ``dbm`` command line; remembers each run's process id to find its scratch databases."""

    def __init__(self, cwd: Path):
        self.cwd, self.pids = cwd, []

    def __call__(self, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        env = dbm_env({"TS_NODE_TRANSPILE_ONLY": "1", **(extra_env or {})})
        proc = subprocess.Popen(
            [sys.executable, "-m", "dbmigrate_magic", *map(str, args)],
            cwd=self.cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out, err = proc.communicate(timeout=300)
        self.pids.append(proc.pid)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def scratch_left(self, url: str) -> list[str]:
        """Scratch databases (SQLite: files) any of our runs left on the server of ``url``."""
        mine = tuple(f"{scratch.PREFIX}{pid}_" for pid in self.pids)
        return [n for n in scratch.list_scratch(url) if n.startswith(mine)]


def changes(result: subprocess.CompletedProcess) -> set[tuple[str, str, str]]:
    data = json.loads(result.stdout)
    return {(c["object_type"], c["name"], c["change"]) for c in data["changes"]}


# --- the tests ------------------------------------------------------------------------------------
@pytest.mark.parametrize("tool,dialect", [case_param(*c) for c in CASES])
def test_drift_down_and_broken_replays_with_the_tools_own_apply(tool, dialect, tmp_path, databases):
    spec = TOOLS[tool]
    dbs = databases(dialect)
    live = dbs.new("live")
    root = spec.make(tmp_path / "app", live, dialect)
    dbm = Dbm(root)

    out = dbm("migrate", "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    out = dbm("drift", "--exit-code")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No drift" in out.stdout

    # the computed down of the first migration: the schema before it is empty, the one after it also
    # holds the tool's tracking table (drizzle on PostgreSQL: in its own schema, with a serial
    # sequence); none of that bookkeeping may show up
    ids = [r["migration"] for r in json.loads(dbm("status", "--format", "json").stdout)["migrations"]]
    first = [i for i in ids if not i.startswith(("auth.", "admin.", "contenttypes.", "sessions."))][0]
    out = dbm("generate", "--down-for", first)
    assert out.returncode == 0, out.stdout + out.stderr
    down = [s.strip().replace("`", "").replace("public.", "") for s in out.stdout.split("\n\n")[1:]]
    down = [s for s in down if s and not s.startswith(("SET ", "PRAGMA "))]  # session settings around it
    assert [s for s in down if "DROP TABLE" in s] == ["DROP TABLE authors;"], out.stdout
    assert all("authors" in s for s in down), out.stdout  # its sequence at most
    assert not [t for t in spec.tracking(dialect) if t in out.stdout] and "SCHEMA" not in out.stdout

    execute(live, *BY_HAND)
    out = dbm("drift", "--exit-code", "--format", "json")
    assert out.returncode == 1, out.stdout + out.stderr
    found, sql = changes(out), json.loads(out.stdout)["sql"]
    per_table = {c for c in found if c[0] == "table"}
    assert found - per_table == EXPECTED
    # SQLite also reports the tables whose stored CREATE TABLE changed (one added, one rebuilt)
    assert per_table == (
        {("table", "authors", "changed"), ("table", "reviews", "changed")} if dialect == "sqlite" else set()
    )
    plain = sql.replace('"', "").replace("`", "")
    assert "ADD COLUMN nickname" in plain
    assert ("ADD KEY books_name_idx" if dialect == "mysql" else "CREATE INDEX books_name_idx") in plain
    assert "DROP COLUMN name" in plain or dialect == "sqlite"  # SQLite: reviews is rebuilt without it
    out = dbm("diff", "migrations", live, "--sql", "--unsafe")
    assert out.returncode == 0, out.stderr
    # what drift proposes as a migration, in the form for piping (SQLite: inside BEGIN/COMMIT)
    assert out.stdout.strip() == for_piping(sql, dialect).strip()

    # that SQL, run on a copy the tool migrated, brings the copy in line with the live database
    copy = dbs.new("copy")
    out = dbm("migrate", "--yes", "--env", copy)
    assert out.returncode == 0, out.stdout + out.stderr
    load(copy, sql)
    out = dbm("diff", copy, live, "--exit-code", "--format", "json")
    assert out.returncode == 0, out.stdout + out.stderr

    # a fourth migration that fails on the scratch database: an error naming it (not "drifted"),
    # and the live database keeps its schema and history
    states = [r["state"] for r in json.loads(dbm("status", "--format", "json").stdout)["migrations"]]
    schema = model(live)
    name = spec.broken(root, dialect)
    # drift compares the database with the migrations it ran, so the pending broken one is only noted;
    # `diff migrations` replays every file and meets it
    out = dbm("drift", "--exit-code")
    assert name in out.stdout + out.stderr and "not applied" in out.stdout + out.stderr, out.stdout + out.stderr
    out = dbm("diff", "migrations", live, "--exit-code")
    assert out.returncode == 2, out.stdout + out.stderr  # an error, not "differences" (1)
    assert f"failed at migration {name}" in out.stderr and "no_such_table" in out.stderr, out.stderr
    assert "the live database was not changed" in out.stderr and 'File "' not in out.stderr
    after = [r["state"] for r in json.loads(dbm("status", "--format", "json").stdout)["migrations"]]
    assert after == states + ["pending"]
    assert diff(schema, model(live)).is_empty

    assert dbm.scratch_left(live) == []


def test_down_for_a_branch_starts_from_its_own_parent(tmp_path):
    """With two Alembic branches the file listed before a revision may be the other branch's: the
    schema it starts from is its down revision's, so the down SQL undoes only this revision."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    root = alembic_project.init(tmp_path / "app", url)
    alembic_project.revision(root, "r1", "authors", up=CREATE.format(t="authors"), down="DROP TABLE authors")
    alembic_project.revision(root, "r2a", "books", head="r1", up=CREATE.format(t="books"), down="DROP TABLE books")
    alembic_project.revision(
        root, "r2b", "reviews", head="r1", splice=True, up=CREATE.format(t="reviews"), down="DROP TABLE reviews"
    )
    dbm = Dbm(root)
    for rev, table in (("r2a", "books"), ("r2b", "reviews")):
        out = dbm("generate", "--down-for", rev)
        assert out.returncode == 0, out.stdout + out.stderr
        statements = [s.strip() for s in out.stdout.split("\n\n")[1:] if s.strip()]
        assert [s for s in statements if not s.startswith("PRAGMA ")] == [f"DROP TABLE {table};"], out.stdout
    assert dbm.scratch_left(url) == []


@pytest.mark.node
@pytest.mark.postgres
def test_drizzle_configured_migrations_table_and_schema_stay_out(tmp_path, pg_url):
    """drizzle.config's ``migrations: {table, schema}`` moves drizzle's table: it is still bookkeeping."""
    root = drizzle_make(tmp_path / "app", pg_url, "postgresql")
    config = root / "drizzle.config.ts"
    config.write_text(
        config.read_text().replace(
            "dbCredentials:", 'migrations: { table: "applied_log", schema: "meta" }, dbCredentials:'
        )
    )
    dbm = Dbm(root)
    assert dbm("migrate", "--yes").returncode == 0
    assert scalar(pg_url, "select count(*) from meta.applied_log") == 3
    out = dbm("drift", "--exit-code")
    assert out.returncode == 0, out.stdout + out.stderr
    out = dbm("generate", "--down-for", "0000_create_authors")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "applied_log" not in out.stdout and "meta" not in out.stdout and "DROP TABLE public.authors;" in out.stdout
    assert dbm.scratch_left(pg_url) == []
