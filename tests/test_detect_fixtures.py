"""Detection on fixture projects for the seven tools and the three extras, the decoys, monorepos,
walking up to the repository root, and recommendations when no tool is found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbmigrate_magic import api
from tests.helpers import write_files

DJANGO_MANAGE = (
    "#!/usr/bin/env python\nimport os, sys\n\ndef main():\n"
    "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n"
    "    from django.core.management import execute_from_command_line\n"
    "    execute_from_command_line(sys.argv)\n"
)

FIXTURES: dict[str, tuple[dict[str, str], str, int]] = {
    # tool: (files, migrations folder, number of migrations)
    "prisma": (
        {
            "prisma/schema.prisma": 'datasource db {\n provider = "sqlite"\n url = "file:./dev.db"\n}\n',
            "prisma/migrations/20240101000000_init/migration.sql": "CREATE TABLE a (id INTEGER);\n",
            "prisma/migrations/20240102000000_two/migration.sql": "CREATE TABLE b (id INTEGER);\n",
            "prisma/migrations/migration_lock.toml": 'provider = "sqlite"\n',
        },
        "prisma/migrations",
        2,
    ),
    "drizzle": (
        {
            "drizzle.config.ts": 'export default { dialect: "sqlite", out: "./db/out", schema: "./s.ts" };\n',
            "db/out/0000_init.sql": "CREATE TABLE a (id integer);\n",
            "db/out/meta/_journal.json": json.dumps(
                {
                    "version": "7",
                    "dialect": "sqlite",
                    "entries": [
                        {"idx": 0, "version": "6", "when": 1700000000000, "tag": "0000_init", "breakpoints": True}
                    ],
                }
            ),
        },
        "db/out",
        1,
    ),
    "knex": (
        {
            "knexfile.js": "module.exports = { client: 'sqlite3', connection: { filename: './dev.sqlite3' },\n"
            "  migrations: { directory: './db/knex' } };\n",
            "db/knex/20240101000000_init.js": "exports.up = k => k; exports.down = k => k;\n",
        },
        "db/knex",
        1,
    ),
    "typeorm": (
        {
            "src/data-source.ts": 'import { DataSource } from "typeorm";\nexport const ds = new DataSource({\n'
            ' type: "sqlite", database: "x.sqlite", migrations: ["./src/migration/*.ts"] });\n',
            "src/migration/1700000000000-Init.ts": "export class Init1700000000000 {}\n",
        },
        "src/migration",
        1,
    ),
    "alembic": (
        {
            "alembic.ini": "[alembic]\nscript_location = migrations_alembic\n",
            "migrations_alembic/env.py": "",
            "migrations_alembic/versions/abc123_init.py": "revision = 'abc123'\n",
            "migrations_alembic/versions/__init__.py": "",
        },
        "migrations_alembic/versions",
        1,
    ),
    "django": (
        {
            "manage.py": DJANGO_MANAGE,
            "site1/__init__.py": "",
            "site1/settings.py": "DATABASES = {}\n",
            "shop/__init__.py": "",
            "shop/migrations/__init__.py": "",
            "shop/migrations/0001_initial.py": "",
            "shop/migrations/0002_more.py": "",
        },
        "shop/migrations",
        2,
    ),
    "rawsql": (
        {"migrations/20240101000000_init.sql": "-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE a;\n"},
        "migrations",
        1,
    ),
    "dbmate": (
        {
            "db/migrations/20240101000000_init.sql": "-- migrate:up\nCREATE TABLE a (id int);\n\n"
            "-- migrate:down\nDROP TABLE a;\n",
            "db/schema.sql": "",
        },
        "db/migrations",
        1,
    ),
    "golang-migrate": (
        {
            "migrations/000001_init.up.sql": "CREATE TABLE a (id int);\n",
            "migrations/000001_init.down.sql": "DROP TABLE a;\n",
            "migrations/000002_b.up.sql": "CREATE TABLE b (id int);\n",
        },
        "migrations",
        2,
    ),
    "sqlx": (
        {
            "Cargo.toml": '[package]\nname = "svc"\n\n[dependencies]\nsqlx = "0.8"\n',
            "migrations/20240101000000_init.sql": "CREATE TABLE a (id BIGINT);\n",
            "migrations/20240102000000_more.sql": "CREATE TABLE b (id BIGINT);\n",
        },
        "migrations",
        2,
    ),
    "flyway": (
        {
            "flyway.conf": "flyway.url=jdbc:sqlite:x.db\n",
            "sql/V1__init.sql": "CREATE TABLE a (id int);\n",
            "sql/V1_1__more.sql": "ALTER TABLE a ADD b int;\n",
            "sql/R__view.sql": "SELECT 1;\n",
        },
        "sql",
        3,
    ),
}


@pytest.mark.parametrize("tool", list(FIXTURES))
def test_each_tool_detected_with_evidence(tmp_path, run_dbm, tool):
    files, folder, count = FIXTURES[tool]
    write_files(tmp_path, files)
    out = run_dbm("detect", tmp_path, "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["tool"] == tool
    assert data["migrations_dir"] == folder
    assert data["migration_count"] == count
    assert data["evidence"] and all(isinstance(e, str) for e in data["evidence"])
    assert data["also_matched"] == []


def test_raw_sql_yields_a_folder_another_tools_naming_claims(tmp_path):
    """golang-migrate's files with one odd name among them: golang-migrate's folder, not raw SQL."""
    write_files(tmp_path, {**FIXTURES["golang-migrate"][0], "migrations/fixup.sql": "UPDATE a SET id = 1;\n"})
    result = api.detect(tmp_path)
    assert result.tool == "golang-migrate"
    assert [e.tool for e in result.also_matched] == []


def test_decoy_migrations_folder_of_python_files(tmp_path):
    write_files(
        tmp_path, {"migrations/0001_initial.py": "x = 1\n", "migrations/__init__.py": "", "requirements.txt": "flask\n"}
    )
    result = api.detect(tmp_path)
    assert result.tool is None
    assert any("migrations/ ignored" in n for n in result.notes)
    assert result.recommendation == "alembic"


def test_decoy_manage_py_without_django(tmp_path):
    write_files(
        tmp_path,
        {
            "manage.py": "import click\n\n@click.command()\ndef cli():\n    pass\n",
            "pyproject.toml": "[project]\nname='x'\n",
        },
    )
    result = api.detect(tmp_path)
    assert result.tool is None
    assert any("manage.py ignored" in n for n in result.notes)
    # manage.py without Django does not make it a Django project: Alembic is recommended for Python
    assert result.recommendation == "alembic"


def test_decoy_data_source_without_typeorm(tmp_path):
    write_files(
        tmp_path,
        {
            "data-source.ts": 'import { Pool } from "pg";\nexport const pool = new Pool();\n',
            "package.json": '{"name": "x"}',
            "tsconfig.json": "{}",
        },
    )
    result = api.detect(tmp_path)
    assert result.tool is None
    assert any("data-source.ts ignored" in n for n in result.notes)
    assert result.recommendation == "drizzle"


@pytest.mark.parametrize("drizzle_folder", [{}, {"drizzle/README.md": "notes\n"}])
def test_decoy_drizzle_folder_next_to_knexfile(tmp_path, drizzle_folder):
    write_files(
        tmp_path,
        {
            "knexfile.js": "module.exports = { client: 'pg', connection: 'postgres://u@h/d' };\n",
            "migrations/20240101000000_init.js": "exports.up = () => {};\n",
            **drizzle_folder,
        },
    )
    (tmp_path / "drizzle").mkdir(exist_ok=True)
    result = api.detect(tmp_path)
    assert result.tool == "knex"
    assert [e.tool for e in result.also_matched] == []
    assert any("drizzle/ folder ignored" in n for n in result.notes)


def test_monorepo_reports_both_first_wins_by_design_order(tmp_path, run_dbm):
    files = {**FIXTURES["alembic"][0], **FIXTURES["prisma"][0]}
    write_files(tmp_path, files)
    data = json.loads(run_dbm("detect", tmp_path, "--format", "json").stdout)
    assert data["tool"] == "prisma"  # Prisma comes before Alembic in detection order (adapters.ADAPTERS)
    assert [m["tool"] for m in data["also_matched"]] == ["alembic"]
    text = run_dbm("detect", tmp_path).stdout
    assert "Also matched: alembic" in text


def test_walks_up_from_a_subfolder_to_the_repository_root(tmp_path, run_dbm):
    repo = tmp_path / "repo"
    write_files(repo, {**FIXTURES["knex"][0], "src/app/deep/index.js": "", ".git/HEAD": "ref: refs/heads/main\n"})
    out = run_dbm("detect", "--format", "json", cwd=repo / "src" / "app" / "deep")
    data = json.loads(out.stdout)
    assert data["tool"] == "knex" and Path(data["root"]) == repo.resolve()
    # does not walk above the repository root
    write_files(tmp_path, {"knexfile.js": "module.exports = {};\n"})
    inner = tmp_path / "other"
    write_files(inner, {".git/HEAD": "", "sub/x.txt": ""})
    data = json.loads(run_dbm("detect", inner / "sub", "--format", "json").stdout)
    assert data["tool"] is None and Path(data["root"]) == inner.resolve()


@pytest.mark.parametrize(
    "files, tool",
    [
        ({"package.json": '{"devDependencies": {"typescript": "5"}}', "tsconfig.json": "{}"}, "drizzle"),
        ({"pyproject.toml": "[project]\nname = 'x'\n"}, "alembic"),
        ({"requirements.txt": "sqlalchemy\n"}, "alembic"),
        ({"mysite/settings.py": "INSTALLED_APPS = []\n"}, "django"),
        ({"manage.py": DJANGO_MANAGE}, "django"),
    ],
)
def test_recommendation_when_no_tool(tmp_path, run_dbm, files, tool):
    write_files(tmp_path, {**files, ".git/HEAD": ""})
    out = run_dbm("detect", tmp_path, "--format", "json")
    data = json.loads(out.stdout)
    if "manage.py" in files:  # manage.py with Django imports IS the Django tool
        assert data["tool"] == "django"
        return
    assert data["tool"] is None
    assert data["recommendation"] == tool
    assert data["recommendation_reason"]


def test_no_tool_text_output(tmp_path, run_dbm):
    write_files(tmp_path, {".git/HEAD": "", "package.json": "{}"})
    out = run_dbm("detect", tmp_path)
    assert out.returncode == 0
    assert "No migration tool found" in out.stdout and "drizzle" in out.stdout.lower()
