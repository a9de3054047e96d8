"""Generated passwords written in the tools' own config files: alembic.ini ``sqlalchemy.url``,
Django ``DATABASES``, a knexfile ``connection`` and Prisma's ``url = env("X")`` with X in .env.
``env`` and ``status`` show them masked (no 5+ character piece), and status connects with them
(the throw-away scram-sha-256 PostgreSQL of test_secrets_hostile)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from dbmigrate_magic import masking
from tests.helpers import write_files
from tests.test_secrets_hostile import cli, leaks, passwords, pg_app, scram_pg  # noqa: F401  (fixtures)

MANAGE = (
    "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
    "from django.core.management import execute_from_command_line\n"
)
HOSTILE = "QX[ZJ]@/:#?&='\"\\$ ü密Kw7"


def tool_files(source: str, pw: str, port: int) -> dict[str, str]:
    url = f"postgresql://hostile:{quote(pw, safe='')}@127.0.0.1:{port}/hostile_db"
    if source == "alembic_ini":  # configparser: % is written %%
        return {
            "alembic.ini": f"[alembic]\nscript_location = alembic\nsqlalchemy.url = {url.replace('%', '%%')}\n",
            "alembic/env.py": "",
            "alembic/versions/.keep": "",
        }
    if source == "django":
        db = {"ENGINE": "django.db.backends.postgresql", "NAME": "hostile_db", "USER": "hostile"}
        db |= {"PASSWORD": pw, "HOST": "127.0.0.1", "PORT": str(port)}
        return {
            "manage.py": MANAGE,
            "mysite/__init__.py": "",
            "mysite/settings.py": f"DATABASES = {{'default': {db!r}}}\n",
        }
    if source == "knexfile":
        conn = {"host": "127.0.0.1", "port": port, "user": "hostile", "password": pw, "database": "hostile_db"}
        return {"knexfile.js": f"module.exports = {{ client: 'pg', connection: {json.dumps(conn)} }};\n"}
    return {
        "prisma/schema.prisma": 'datasource db {\n provider = "postgresql"\n url = env("APP_DB")\n}\n',
        "prisma/migrations/.keep": "",
        ".env": f'APP_DB="{url}"\n',
    }


@pytest.mark.postgres
@settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(pw=passwords, source=st.sampled_from(["alembic_ini", "django", "knexfile", "prisma_env"]))
@example(pw=HOSTILE, source="alembic_ini")
@example(pw=HOSTILE, source="django")
@example(pw=HOSTILE, source="knexfile")
@example(pw=HOSTILE, source="prisma_env")
def test_tool_config_passwords_are_masked_and_connect(pw, source, pg_app):
    masking._registered.clear()
    port, set_pg = pg_app
    set_pg(pw)
    root = write_files(Path(tempfile.mkdtemp(prefix="dbm-tools-")), tool_files(source, pw, port))
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(root)
            seen = [cli("env"), cli("env", "--format", "json"), cli("status"), cli("status", "--format", "json")]
        everything = "\n".join(seen)
        assert "Traceback" not in everything and not leaks(pw, everything), (leaks(pw, everything), everything[-3000:])
        assert "***" in seen[1], (source, seen[1])
        assert "Could not connect" not in seen[3], (source, seen[3][-3000:])  # it connected
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_js_string_escapes_are_read_as_node_reads_them():
    """JSON.stringify writes non-ASCII as \\uXXXX: a knexfile password so written must not turn into
    'u00fc' (the connection would be refused)."""
    from dbmigrate_magic.adapters._jsconfig import _unquote

    assert _unquote(r'"a\u00fc\u5bc6\x41\u{1F600}\ud83d\ude00\\q\""') == 'aü密A😀😀\\q"'
