"""Every source of connection settings, on real files; every URL form is normalised and then
connected to the real server (PostgreSQL, MariaDB, SQLite) through ``Database.connect()``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dbmigrate_magic import api
from dbmigrate_magic.db import Database
from tests.helpers import write_files


def parts(url: str) -> dict:
    u = make_url(url)
    return {"host": u.host, "port": u.port or "", "user": u.username, "db": u.database}


def envs(project: Path) -> dict:
    return {e.name: e for e in api.env(project=project).environments}


def assert_connects(env, expect_dialect: str) -> str:
    """Connect through the product's own Database; return the database name the server reports."""
    assert env.dialect == expect_dialect, env.masked_url
    db = Database(env.url, env.name, env.schema)
    try:
        with db.connect() as conn:
            if expect_dialect == "postgresql":
                return conn.execute(text("select current_database() || '/' || current_schema()")).scalar()
            if expect_dialect == "mysql":
                return conn.execute(text("select database()")).scalar()
            return conn.execute(text("select 1")).scalar()
    finally:
        db.dispose()


RAW = {"migrations/20250101000000_init.sql": "-- UP\ncreate table t (id int);\n-- DOWN\ndrop table t;\n"}


# --- .env files and variables -----------------------------------------------------------
@pytest.mark.postgres
def test_env_files_node_style_postgres_url(tmp_path, pg_url):
    p = parts(pg_url)
    write_files(tmp_path, {**RAW, ".env": f"DATABASE_URL=postgres://{p['user']}@{p['host']}:{p['port']}/{p['db']}\n"})
    env = envs(tmp_path)["development"]
    assert env.url.startswith("postgresql+psycopg://") and env.source == ".env (DATABASE_URL)"
    assert assert_connects(env, "postgresql") == f"{p['db']}/public"


@pytest.mark.mysql
def test_env_local_mysql_url_wins_over_env(tmp_path, mysql_url):
    p = parts(mysql_url)
    write_files(
        tmp_path,
        {
            **RAW,
            ".env": "DATABASE_URL=sqlite:///ignored.db\n",
            ".env.local": f"DATABASE_URL=mysql://{p['user']}@{p['host']}:{p['port']}/{p['db']}\n",
        },
    )
    env = envs(tmp_path)["development"]
    assert env.source == ".env.local (DATABASE_URL)" and env.url.startswith("mysql+pymysql://")
    assert assert_connects(env, "mysql") == p["db"]


@pytest.mark.postgres
def test_db_parts_in_env_staging(tmp_path, pg_url):
    p = parts(pg_url)
    write_files(
        tmp_path,
        {
            **RAW,
            ".env": "DATABASE_URL=sqlite:///dev.db\n",
            ".env.staging": f"DB_HOST={p['host']}\nDB_PORT={p['port']}\nDB_NAME={p['db']}\nDB_USER={p['user']}\n"
            "DB_PASSWORD=unused-with-trust\n",
        },
    )
    env = envs(tmp_path)["staging"]
    assert env.source == ".env.staging (DB_HOST, DB_NAME, ...)" and not env.production
    assert assert_connects(env, "postgresql") == f"{p['db']}/public"


@pytest.mark.mysql
def test_db_parts_mysql_by_port(tmp_path, mysql_url):
    p = parts(mysql_url)
    write_files(tmp_path, {**RAW, ".env.test": f"DB_HOST={p['host']}\nDB_PORT=3306\nDB_NAME={p['db']}\nDB_USER=root\n"})
    assert assert_connects(envs(tmp_path)["test"], "mysql") == p["db"]


@pytest.mark.postgres
def test_prisma_style_url_keeps_schema_aside(tmp_path, pg_url):
    p = parts(pg_url)
    from conftest import _server_engine

    eng = _server_engine(pg_url)
    with eng.connect() as conn:
        conn.execute(text("create schema app"))
    eng.dispose()
    write_files(
        tmp_path,
        {
            **RAW,
            ".env.test": f"POSTGRES_URL=postgresql://{p['user']}@{p['host']}:{p['port']}/{p['db']}"
            "?schema=app&connection_limit=5&pgbouncer=true\n",
        },
    )
    env = envs(tmp_path)["test"]
    assert env.schema == "app" and "connection_limit" not in env.url and "schema=" not in env.url
    assert assert_connects(env, "postgresql") == f"{p['db']}/app"


@pytest.mark.postgres
def test_postgres_prisma_url_and_production_classification(tmp_path, pg_url):
    p = parts(pg_url)
    write_files(
        tmp_path,
        {
            **RAW,
            ".env.production": f"POSTGRES_PRISMA_URL=postgres://{p['user']}@{p['host']}:{p['port']}/{p['db']}?pgbouncer=true\n",
        },
    )
    env = envs(tmp_path)["production"]
    assert env.production and "name" in env.classification
    assert assert_connects(env, "postgresql").startswith(p["db"])


def test_sqlalchemy_database_uri_relative_sqlite(tmp_path):
    write_files(tmp_path, {**RAW, ".env.live": "SQLALCHEMY_DATABASE_URI=sqlite:///data/live.db\n"})
    (tmp_path / "data").mkdir()
    env = envs(tmp_path)["live"]
    assert env.url == f"sqlite:///{(tmp_path / 'data' / 'live.db').resolve()}"
    assert env.production  # "live" is a production name
    assert assert_connects(env, "sqlite") == 1
    assert (tmp_path / "data" / "live.db").exists()


def test_turso_url_with_token(tmp_path):
    write_files(
        tmp_path, {**RAW, ".env": "TURSO_DATABASE_URL=libsql://my-db.turso.io\nTURSO_AUTH_TOKEN=tok-XYZ-123456\n"}
    )
    env = envs(tmp_path)["development"]
    assert env.dialect == "libsql" and "tok-XYZ-123456" in env.url  # kept for the driver
    assert "tok-XYZ-123456" not in env.masked_url and "Turso" in (env.note or "")


def test_dbm_env_production_in_a_file_and_in_the_process(tmp_path, monkeypatch):
    write_files(
        tmp_path,
        {
            **RAW,
            ".env": "DATABASE_URL=sqlite:///a.db\n",
            ".env.staging": "DATABASE_URL=sqlite:///b.db\nDBM_ENV=production\n",
        },
    )
    found = envs(tmp_path)
    assert not found["development"].production
    assert found["staging"].production and "DBM_ENV" in found["staging"].classification
    monkeypatch.setenv("DBM_ENV", "production")
    found = envs(tmp_path)
    assert found["production"].production  # .env belongs to the process's environment
    assert found["production"].source == ".env (DATABASE_URL)"


@pytest.mark.postgres
def test_process_environment_wins(tmp_path, pg_url, monkeypatch):
    write_files(tmp_path, {**RAW, ".env": "DATABASE_URL=sqlite:///dev.db\n"})
    monkeypatch.setenv("DATABASE_URL", pg_url.replace("postgresql+psycopg://", "postgresql://"))
    env = envs(tmp_path)["development"]
    assert env.source == "process environment (DATABASE_URL)"
    assert assert_connects(env, "postgresql").startswith(parts(pg_url)["db"])


def test_env_file_precedence(tmp_path):
    write_files(
        tmp_path,
        {
            **RAW,
            ".env": "DATABASE_URL=sqlite:///1.db\n",
            ".env.development": "DATABASE_URL=sqlite:///2.db\n",
            ".env.local": "DATABASE_URL=sqlite:///3.db\n",
        },
    )
    assert envs(tmp_path)["development"].url.endswith("/3.db")  # .env.local beats .env.development
    (tmp_path / ".env.development.local").write_text("DATABASE_URL=sqlite:///4.db\n")
    assert envs(tmp_path)["development"].url.endswith("/4.db")
    (tmp_path / ".env.local").unlink()
    (tmp_path / ".env.development.local").unlink()
    assert envs(tmp_path)["development"].url.endswith("/2.db")


def test_env_select_sticks_for_later_verbs(tmp_path, run_dbm):
    write_files(
        tmp_path, {**RAW, ".env": "DATABASE_URL=sqlite:///dev.db\n", ".env.staging": "DATABASE_URL=sqlite:///st.db\n"}
    )
    out = run_dbm("env", "staging", "--project", tmp_path, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["active"] == "staging"
    detected = json.loads(run_dbm("detect", tmp_path, "--format", "json").stdout)
    assert detected["environment"] == "staging" and detected["connection"].endswith("/st.db")
    bad = run_dbm("env", "nope", "--project", tmp_path)
    assert bad.returncode == 2 and "nope" in bad.stderr
    (tmp_path / ".env.staging").unlink()  # the remembered choice is gone: env still lists, and says why
    listed = run_dbm("env", "--project", tmp_path, "--format", "json")
    assert listed.returncode == 0 and "staging" in json.loads(listed.stdout)["active_reason"]


# --- tools' own configs -----------------------------------------------------------------
@pytest.mark.postgres
def test_alembic_ini_here_and_env_interpolation(tmp_path, pg_url, monkeypatch):
    p = parts(pg_url)
    write_files(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = %(here)s/alembic\n"
            "sqlalchemy.url = sqlite:///%(here)s/app.db\n",
            "alembic/env.py": "# no env reads\n",
        },
    )
    env = envs(tmp_path)["development"]
    assert env.url == f"sqlite:///{tmp_path.resolve()}/app.db" and "alembic.ini" in env.source
    assert assert_connects(env, "sqlite") == 1
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = alembic\n"
        "sqlalchemy.url = postgresql://${PGUSER_X}@%(PGHOST_X)s:" + str(p["port"]) + "/" + p["db"] + "\n"
    )
    monkeypatch.setenv("PGUSER_X", p["user"])
    (tmp_path / ".env").write_text(f"PGHOST_X={p['host']}\n")
    env = envs(tmp_path)["development"]
    assert assert_connects(env, "postgresql").startswith(p["db"])


def test_alembic_env_py_variable_is_preferred(tmp_path):
    write_files(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = alembic\nsqlalchemy.url = driver://user:pass@localhost/dbname\n",
            "alembic/env.py": "import os\nconfig.set_main_option('sqlalchemy.url', os.environ['APP_DB'])\n",
            ".env": "APP_DB=sqlite:///from_env_py.db\n",
        },
    )
    env = envs(tmp_path)["development"]
    assert env.source == ".env (APP_DB)" and env.url.endswith("/from_env_py.db")
    assert assert_connects(env, "sqlite") == 1


DJANGO_MANAGE = (
    "import os, sys\nif __name__ == '__main__':\n"
    "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
    "    from django.core.management import execute_from_command_line\n"
    "    execute_from_command_line(sys.argv)\n"
)


def django_project(root: Path, settings: str) -> Path:
    return write_files(root, {"manage.py": DJANGO_MANAGE, "mysite/__init__.py": "", "mysite/settings.py": settings})


def test_django_sqlite_settings_read_statically(tmp_path):
    django_project(
        tmp_path,
        "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}\n"
        "raise RuntimeError('importing these settings would fail')\n",
    )
    env = envs(tmp_path)["development"]
    assert env.url == f"sqlite:///{tmp_path.resolve()}/db.sqlite3"
    assert "read statically" in env.source and env.note is None
    assert assert_connects(env, "sqlite") == 1


@pytest.mark.postgres
def test_django_postgres_from_environ_with_defaults(tmp_path, pg_url, monkeypatch):
    p = parts(pg_url)
    django_project(
        tmp_path,
        "import os\nDATABASES = {'default': {\n"
        "  'ENGINE': 'django.db.backends.postgresql',\n"
        "  'NAME': os.environ.get('APP_DB_NAME', 'nope'),\n"
        f"  'USER': os.getenv('APP_DB_USER', '{p['user']}'),\n"
        "  'PASSWORD': os.environ.get('APP_DB_PASSWORD', ''),\n"
        f"  'HOST': '{p['host']}', 'PORT': '{p['port']}',\n"
        "}}\n",
    )
    monkeypatch.setenv("APP_DB_NAME", p["db"])
    env = envs(tmp_path)["development"]
    assert assert_connects(env, "postgresql").startswith(p["db"])


@pytest.mark.mysql
def test_django_dj_database_url(tmp_path, mysql_url):
    p = parts(mysql_url)
    django_project(
        tmp_path,
        "import dj_database_url\nDATABASES = {'default': dj_database_url.config("
        f"default='mysql://root@{p['host']}:{p['port']}/{p['db']}', conn_max_age=600)}}\n",
    )
    env = envs(tmp_path)["development"]
    assert assert_connects(env, "mysql") == p["db"]


def test_django_falls_back_to_import_and_says_so(tmp_path):
    django_project(
        tmp_path,
        "def _name():\n    return 'computed.sqlite3'\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': _name()}}\n",
    )
    env = envs(tmp_path)["development"]
    assert env.url == f"sqlite:///{tmp_path.resolve()}/computed.sqlite3"
    assert "importing" in env.source and "had to import mysite.settings" in env.note
    detected = api.detect(tmp_path)
    assert "had to import" in detected.to_text()


def test_prisma_env_and_file_url_relative_to_schema(tmp_path):
    write_files(
        tmp_path,
        {
            "prisma/schema.prisma": 'datasource db {\n  provider = "sqlite"\n  url = env("APP_DATABASE")\n}\n',
            ".env": "DATABASE_URL=sqlite:///wrong.db\nAPP_DATABASE=file:./dev.db\n",
        },
    )
    env = envs(tmp_path)["development"]
    assert env.source == ".env (APP_DATABASE)"
    assert env.url == f"sqlite:///{(tmp_path / 'prisma' / 'dev.db').resolve()}"  # as Prisma resolves it
    assert assert_connects(env, "sqlite") == 1


@pytest.mark.postgres
def test_prisma_literal_url(tmp_path, pg_url):
    p = parts(pg_url)
    write_files(
        tmp_path,
        {
            "schema.prisma": 'datasource db {\n  provider = "postgresql"\n'
            f'  url = "postgresql://{p["user"]}@{p["host"]}:{p["port"]}/{p["db"]}?schema=public"\n}}\n'
        },
    )
    env = envs(tmp_path)["development"]
    assert "schema.prisma" in env.source and env.schema == "public"
    assert assert_connects(env, "postgresql") == f"{p['db']}/public"


@pytest.mark.postgres
def test_drizzle_config_literal_and_process_env(tmp_path, pg_url):
    p = parts(pg_url)
    node_url = f"postgres://{p['user']}@{p['host']}:{p['port']}/{p['db']}"
    write_files(
        tmp_path,
        {
            "drizzle.config.ts": 'import { defineConfig } from "drizzle-kit";\nexport default defineConfig({\n'
            '  dialect: "postgresql",\n  schema: "./src/schema.ts",\n  out: "./drizzle",\n'
            f'  dbCredentials: {{ url: "{node_url}" }},\n}});\n'
        },
    )
    env = envs(tmp_path)["development"]
    assert "drizzle.config.ts" in env.source
    assert assert_connects(env, "postgresql").startswith(p["db"])
    (tmp_path / "drizzle.config.ts").write_text(
        'export default {\n  dialect: "sqlite",\n  dbCredentials: { url: process.env.DRIZZLE_DB! },\n};\n'
    )
    (tmp_path / ".env").write_text("DRIZZLE_DB=file:./local.db\n")
    env = envs(tmp_path)["development"]
    assert env.source == ".env (DRIZZLE_DB)" and env.url.endswith("/local.db")
    assert assert_connects(env, "sqlite") == 1


@pytest.mark.postgres
@pytest.mark.mysql
def test_knexfile_string_object_and_environments(tmp_path, pg_url, mysql_url):
    p, m = parts(pg_url), parts(mysql_url)
    write_files(
        tmp_path,
        {
            "knexfile.js": f"""require('dotenv').config();
const path = require('path');
module.exports = {{
  development: {{
    client: 'better-sqlite3',
    connection: {{ filename: path.join(__dirname, 'dev.sqlite3') }},
    useNullAsDefault: true,
  }},
  staging: {{
    client: 'mysql2',
    connection: {{ host: '{m["host"]}', port: {m["port"]}, user: 'root', password: '', database: '{m["db"]}' }},
  }},
  production: {{
    client: 'pg',
    connection: process.env.PROD_PG || 'postgres://{p["user"]}@{p["host"]}:{p["port"]}/{p["db"]}',
    pool: {{ min: 2, max: 10 }},
  }},
}};
"""
        },
    )
    found = envs(tmp_path)
    assert found["development"].url == f"sqlite:///{tmp_path.resolve()}/dev.sqlite3"
    assert assert_connects(found["development"], "sqlite") == 1
    assert assert_connects(found["staging"], "mysql") == m["db"]
    assert found["production"].production and "knexfile.js production.connection" == found["production"].source
    assert assert_connects(found["production"], "postgresql").startswith(p["db"])


@pytest.mark.postgres
def test_knexfile_single_connection_string(tmp_path, pg_url):
    p = parts(pg_url)
    write_files(
        tmp_path,
        {
            "knexfile.ts": "import type { Knex } from 'knex';\nconst config: Knex.Config = {\n"
            f"  client: 'pg', connection: 'postgresql://{p['user']}@{p['host']}:{p['port']}/{p['db']}',\n}};\n"
            "export default config;\n"
        },
    )
    env = envs(tmp_path)["development"]
    assert env.source == "knexfile.ts connection"
    assert assert_connects(env, "postgresql").startswith(p["db"])


@pytest.mark.postgres
@pytest.mark.mysql
def test_ormconfig_json_url_and_fields(tmp_path, pg_url, mysql_url):
    p, m = parts(pg_url), parts(mysql_url)
    write_files(
        tmp_path,
        {
            "ormconfig.json": json.dumps(
                {"type": "postgres", "url": f"postgres://{p['user']}@{p['host']}:{p['port']}/{p['db']}"}
            )
        },
    )
    env = envs(tmp_path)["development"]
    assert env.source == "ormconfig.json url"
    assert assert_connects(env, "postgresql").startswith(p["db"])
    (tmp_path / "ormconfig.json").write_text(
        json.dumps(
            [
                {"name": "other", "type": "sqlite", "database": "x.db"},
                {
                    "name": "default",
                    "type": "mariadb",
                    "host": m["host"],
                    "port": m["port"],
                    "username": "root",
                    "password": "",
                    "database": m["db"],
                },
            ]
        )
    )
    env = envs(tmp_path)["development"]
    assert assert_connects(env, "mysql") == m["db"]
    (tmp_path / "ormconfig.json").write_text(json.dumps({"type": "sqlite", "database": "db/app.sqlite"}))
    (tmp_path / "db").mkdir()
    env = envs(tmp_path)["development"]
    assert env.url == f"sqlite:///{tmp_path.resolve()}/db/app.sqlite"
    assert assert_connects(env, "sqlite") == 1


def test_typeorm_data_source_ts(tmp_path):
    write_files(
        tmp_path,
        {
            "src/data-source.ts": 'import "reflect-metadata";\nimport { DataSource } from "typeorm";\n'
            'export const AppDataSource = new DataSource({\n  type: "better-sqlite3",\n'
            '  database: "app.sqlite",\n  migrations: ["src/migration/*.ts"],\n});\n'
        },
    )
    env = envs(tmp_path)["development"]
    assert env.url == f"sqlite:///{tmp_path.resolve()}/app.sqlite" and "data-source.ts" in env.source
    assert assert_connects(env, "sqlite") == 1


# --- every URL form, normalised and connected -------------------------------------------
def url_forms(pg: str, mysql: str, tmp: Path) -> list[tuple[str, str, str]]:
    p, m = parts(pg), parts(mysql)
    pg_rest = f"{p['user']}@{p['host']}:{p['port']}/{p['db']}"
    my_rest = f"root@{m['host']}:{m['port']}/{m['db']}"
    return [
        (f"postgres://{pg_rest}", "postgresql", "postgresql+psycopg://"),
        (f"postgresql://{pg_rest}", "postgresql", "postgresql+psycopg://"),
        (f"postgresql+psycopg://{pg_rest}?sslmode=disable", "postgresql", "postgresql+psycopg://"),
        (
            f"postgresql://{pg_rest}?schema=public&connection_limit=1&pool_timeout=5",
            "postgresql",
            "postgresql+psycopg://",
        ),
        (f"mysql://{my_rest}", "mysql", "mysql+pymysql://"),
        (f"mysql2://{my_rest}", "mysql", "mysql+pymysql://"),
        (f"mariadb://{my_rest}", "mysql", "mysql+pymysql://"),
        (f"mysql+pymysql://{my_rest}?charset=utf8mb4", "mysql", "mysql+pymysql://"),
        (f"sqlite:///{tmp / 'abs.db'}", "sqlite", f"sqlite:///{tmp.resolve() / 'abs.db'}"),
        ("sqlite:///rel.db", "sqlite", f"sqlite:///{tmp.resolve() / 'rel.db'}"),
        ("file:./file_rel.db", "sqlite", f"sqlite:///{tmp.resolve() / 'file_rel.db'}"),
        ("file:plain.db?connection_limit=1", "sqlite", f"sqlite:///{tmp.resolve() / 'plain.db'}"),
        ("./bare.sqlite3", "sqlite", f"sqlite:///{tmp.resolve() / 'bare.sqlite3'}"),
    ]


@pytest.mark.postgres
@pytest.mark.mysql
def test_every_url_form_normalises_and_connects(tmp_path, pg_url, mysql_url):
    for raw, dialect, prefix in url_forms(pg_url, mysql_url, tmp_path):
        (tmp_path / ".env").write_text(f"DATABASE_URL={raw}\n")
        (tmp_path / "migrations").mkdir(exist_ok=True)
        (tmp_path / "migrations" / "20250101000000_a.sql").write_text("-- UP\nselect 1;\n")
        env = envs(tmp_path)["development"]
        assert env.url.startswith(prefix), (raw, env.masked_url)
        assert "connection_limit" not in env.url and "pool_timeout" not in env.url
        assert assert_connects(env, dialect), raw
