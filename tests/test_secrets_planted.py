"""A distinctive password is planted in every source of connection settings; it must appear in
no output of detect, env and a failed connection: CLI (text and JSON, stdout and stderr), api
(repr, to_dict, HTML, DataFrame), the magic (text, HTML, --df frame) and error messages."""

from __future__ import annotations

import json

import pytest
from IPython.core.error import UsageError
from sqlalchemy.engine import make_url

from dbmigrate_magic import api
from dbmigrate_magic.db import Database
from dbmigrate_magic.errors import DbmError
from tests.helpers import write_files

PW = "Zq9-pLaNtEd-S3cr3t"
PW_SPECIAL = "Zq9@pl#nt/ed:S3c"  # needs percent-encoding in a URL
PW_SPECIAL_Q = "Zq9%40pl%23nt%2Fed%3AS3c"
RAW = {"migrations/20250101000000_init.sql": "-- UP\ncreate table t (id int);\n-- DOWN\ndrop table t;\n"}
MANAGE = (
    "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
    "from django.core.management import execute_from_command_line\n"
)

SOURCES: dict[str, dict[str, str]] = {
    "dotenv_url": {**RAW, ".env": f"DATABASE_URL=postgres://app:{PW}@127.0.0.1:5432/appdb\n"},
    "dotenv_url_special": {**RAW, ".env": f"DATABASE_URL=mysql://app:{PW_SPECIAL_Q}@127.0.0.1:3306/appdb\n"},
    "dotenv_query_password": {
        **RAW,
        ".env.staging": f"DATABASE_URL=postgresql://app@127.0.0.1/appdb?password={PW}&sslpassword={PW}x\n",
    },
    "db_parts": {
        **RAW,
        ".env.production": f"DB_HOST=127.0.0.1\nDB_PORT=3306\nDB_NAME=x\nDB_USER=u\nDB_PASSWORD={PW}\n",
    },
    "sqlalchemy_uri": {**RAW, ".env.test": f"SQLALCHEMY_DATABASE_URI=postgresql+psycopg://u:{PW}@localhost/x\n"},
    "postgres_prisma_url": {**RAW, ".env": f"POSTGRES_PRISMA_URL=postgres://u:{PW}@h:5432/x?pgbouncer=true\n"},
    "turso_token": {**RAW, ".env": f"TURSO_DATABASE_URL=libsql://db.turso.io\nTURSO_AUTH_TOKEN={PW}\n"},
    "alembic_ini": {
        "alembic.ini": f"[alembic]\nscript_location = alembic\nsqlalchemy.url = postgresql://u:{PW}@h/x\n",
        "alembic/env.py": "",
    },
    "alembic_ini_env_interpolated": {
        "alembic.ini": "[alembic]\nscript_location = alembic\nsqlalchemy.url = mysql://u:${APP_DB_PW}@h/x\n",
        "alembic/env.py": "",
        ".env": f"APP_DB_PW={PW}\n",
    },
    "django_settings": {
        "manage.py": MANAGE,
        "mysite/__init__.py": "",
        "mysite/settings.py": "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'x', "
        f"'USER': 'u', 'PASSWORD': '{PW}', 'HOST': 'h'}}}}\n",
    },
    "django_imported": {
        "manage.py": MANAGE,
        "mysite/__init__.py": "",
        "mysite/settings.py": f"def pw():\n    return '{PW}'\nDATABASES = {{'default': {{'ENGINE': "
        "'django.db.backends.mysql', 'NAME': 'x', 'USER': 'u', 'PASSWORD': pw(), 'HOST': 'h'}}\n",
    },
    "prisma_literal": {
        "prisma/schema.prisma": f'datasource db {{\n provider = "postgresql"\n'
        f' url = "postgresql://u:{PW}@h:5432/x?schema=s"\n}}\n'
    },
    "prisma_env": {
        "prisma/schema.prisma": 'datasource db {\n provider = "postgresql"\n url = env("PRISMA_DB")\n}\n',
        ".env": f"PRISMA_DB=postgresql://u:{PW}@h:5432/x\n",
    },
    "drizzle_url": {
        "drizzle.config.ts": f'export default {{ dialect: "postgresql", dbCredentials: {{ url: '
        f'"postgres://u:{PW}@h:5432/x" }} }};\n'
    },
    "drizzle_fields": {
        "drizzle.config.ts": 'export default { dialect: "mysql", dbCredentials: { host: "h", '
        f'user: "u", password: "{PW}", database: "x" }} }};\n'
    },
    "knexfile": {
        "knexfile.js": "module.exports = { production: { client: 'pg', connection: { host: 'h', "
        f"user: 'u', password: '{PW}', database: 'x' }} }} }};\n"
    },
    "ormconfig": {
        "ormconfig.json": json.dumps(
            {"type": "postgres", "host": "h", "username": "u", "password": PW, "database": "x"}
        )
    },
}


def assert_clean(*texts: object) -> None:
    for t in texts:
        s = str(t)
        for secret in (PW, PW_SPECIAL, PW_SPECIAL_Q, PW.lower()):
            assert secret not in s, f"secret leaked in: {s[:2000]}"


@pytest.mark.parametrize("source", list(SOURCES))
def test_planted_password_never_shown_by_cli(tmp_path, run_dbm, source):
    project = write_files(tmp_path / "p", SOURCES[source])
    outputs = []
    for argv in (
        ["detect", project],
        ["detect", project, "--format", "json"],
        ["env", "--project", project],
        ["env", "--project", project, "--format", "json"],
    ):
        out = run_dbm(*argv)
        assert out.returncode in (0, 2), out.stderr
        outputs += [out.stdout, out.stderr]
    assert_clean(*outputs)
    # the connection was found: the masked URL shows where the password was
    envs = json.loads(run_dbm("env", "--project", project, "--format", "json").stdout)["environments"]
    assert envs and any(e["url"] and "***" in e["url"] for e in envs), envs


@pytest.mark.parametrize("source", list(SOURCES))
def test_planted_password_never_shown_by_api_and_magic(tmp_path, ipython, source):
    project = write_files(tmp_path / "p", SOURCES[source])
    detected = api.detect(project)
    envs = api.env(project=project)
    texts = [
        repr(detected),
        detected._repr_html_(),
        json.dumps(detected.to_dict()),
        detected.to_frame().to_string(),
        repr(envs),
        envs._repr_html_(),
        json.dumps(envs.to_dict()),
        envs.to_frame().to_string(),
        [repr(e) for e in envs.environments],
        [e.to_dict() for e in envs.environments],
    ]
    shown = ipython.run_line_magic("dbm", f"env --project {project} --df env_frame")
    texts += [repr(shown), shown._repr_html_(), ipython.user_ns["env_frame"].to_string()]
    shown = ipython.run_line_magic("dbm", f"detect {project} --df det_frame")
    texts += [repr(shown), shown._repr_html_(), ipython.user_ns["det_frame"].to_string()]
    assert_clean(*texts)


def failing_urls(pg: str, mysql: str) -> list[str]:
    m = make_url(mysql)
    p = make_url(pg)
    return [
        f"mysql://root:{PW}@{m.host}:{m.port or 3306}/{m.database}",  # wrong password: access denied
        f"mysql://root:{PW_SPECIAL_Q}@{m.host}:{m.port or 3306}/{m.database}",
        f"postgresql://dbm_no_such_role:{PW}@{p.host}:{p.port or 5432}/{p.database}",  # trust auth: unknown role
        f"postgresql://postgres:{PW}@127.0.0.1:1/x",  # nothing listens there
        f"mysql://root:{PW}@127.0.0.1:1/x",
    ]


@pytest.mark.postgres
@pytest.mark.mysql
def test_failed_connections_never_show_the_password(tmp_path, run_dbm, ipython, pg_url, mysql_url):
    for i, url in enumerate(failing_urls(pg_url, mysql_url)):
        project = write_files(tmp_path / f"p{i}", {**RAW, ".env": f"DATABASE_URL={url}\n"})
        # the database layer itself
        env = api.env(project=project).environments[0]
        with pytest.raises(DbmError) as err:
            with Database(env.url, env.name).connect():
                pass
        assert "connect" in str(err.value).lower()
        texts = [str(err.value), repr(err.value), err.value.to_dict(), err.value.__cause__, err.value.__context__]
        # a verb that connects, from every front end
        status = api.status(project)
        texts += [repr(status), status._repr_html_(), status.to_dict(), status.to_frame().to_string()]
        assert status.error, "the failed connection is reported"
        for argv in (
            ["status", project],
            ["status", project, "--format", "json"],
            ["status", project, "--env", url],
            ["detect", project, "--env", url, "--format", "json"],
        ):
            out = run_dbm(*argv)
            texts += [out.stdout, out.stderr]
        shown = ipython.run_line_magic("dbm", f"status {project} --df st")
        texts += [repr(shown), shown._repr_html_(), ipython.user_ns["st"].to_string()]
        try:
            ipython.run_line_magic("dbm", f"status {project} --env nope")
        except UsageError as exc:
            texts.append(str(exc))
        assert_clean(*texts)


def test_mask_handles_every_form():
    from dbmigrate_magic.masking import mask

    samples = [
        f"postgresql://u:{PW}@h/x",
        f"mysql+pymysql://u:{PW_SPECIAL_Q}@h/x",
        f"host=h password={PW} dbname=x",
        f"Server=h;PWD={PW};Database=x",
        f"postgres://h/x?sslpassword={PW}&user=u",
        f"TURSO_AUTH_TOKEN={PW}",
        f'{{"password": "{PW}"}}',
        f"libsql://db.turso.io?authToken={PW}",
        f"password='{PW}'",
    ]
    for s in samples:
        assert PW not in mask(s) and PW_SPECIAL_Q not in mask(s), (s, mask(s))


def test_short_registered_secret_masks_whole_words_only():
    from dbmigrate_magic import masking

    before = set(masking._registered)
    try:
        masking.register_secret("postgres")
        assert (
            masking.mask("driver postgresql+psycopg, password postgres.") == "driver postgresql+psycopg, password ***."
        )
        masking.register_secret("Lng-S3cret-value-42")  # long values are masked wherever they appear
        assert "S3cret" not in masking.mask("prefixLng-S3cret-value-42suffix")
    finally:  # the registry is process-wide: leave it as other tests expect it
        masking._registered.intersection_update(before)
