"""What the tools themselves read from their configs, against what we read without running them:
Alembic's own Config, node's require() of a knexfile, Django's own settings import."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from conftest import missing
from dbmigrate_magic import api
from tests.helpers import write_files


def same_database(ours: str, theirs: str) -> None:
    a, b = make_url(ours), make_url(theirs)
    assert a.get_backend_name() == b.get_backend_name()
    assert (a.username, a.password, a.host, a.port) == (b.username, b.password, b.host, b.port)
    if a.get_backend_name() == "sqlite":
        assert Path(a.database).resolve() == Path(b.database).resolve()
    else:
        assert a.database == b.database


def test_alembic_ini_matches_alembic_config(tmp_path):
    from alembic.config import Config

    write_files(
        tmp_path,
        {
            "alembic.ini": "[DEFAULT]\ndbname = app\n[alembic]\nscript_location = %(here)s/alembic\n"
            "sqlalchemy.url = sqlite:///%(here)s/data/%(dbname)s.db\n",
            "alembic/env.py": "",
        },
    )
    theirs = Config(str(tmp_path / "alembic.ini")).get_main_option("sqlalchemy.url")
    ours = api.env(project=tmp_path).environments[0].url
    same_database(ours, theirs)


def test_knexfile_matches_node_require(tmp_path):
    if shutil.which("node") is None:
        missing("node is not installed")
    write_files(
        tmp_path,
        {
            "knexfile.js": """const path = require('path');
const shared = { pool: { min: 0, max: 5 } };
module.exports = {
  development: { ...shared, client: 'sqlite3', connection: { filename: path.join(__dirname, 'db', 'dev.sqlite3') },
                 useNullAsDefault: true },
  staging: { client: 'pg', connection: process.env.STAGING_URL || 'postgres://app:pw1234@db.internal:5433/app_stg' },
  production: { client: 'mysql2', connection: { host: 'prod.db', port: 3307, user: 'svc', password: 's3cr3t-x',
                database: 'app' } },
};
"""
        },
    )
    script = (
        "const c = require(process.argv[1]);\n"
        "const out = {};\n"
        "for (const [k, v] of Object.entries(c)) out[k] = v.connection;\n"
        "console.log(JSON.stringify(out));"
    )
    out = subprocess.run(
        ["node", "-e", script, str(tmp_path / "knexfile.js")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "STAGING_URL"},
    )
    assert out.returncode == 0, out.stderr
    node = json.loads(out.stdout)
    ours = {e.name: e.url for e in api.env(project=tmp_path).environments}
    assert Path(make_url(ours["development"]).database) == Path(node["development"]["filename"])
    same_database(ours["staging"], node["staging"].replace("postgres://", "postgresql+psycopg://"))
    prod = node["production"]
    same_database(
        ours["production"],
        f"mysql+pymysql://{prod['user']}:{prod['password']}@{prod['host']}:{prod['port']}/{prod['database']}",
    )


def test_django_static_reading_matches_django_import(tmp_path):
    write_files(
        tmp_path,
        {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings.dev')\n"
            "from django.core.management import execute_from_command_line\n",
            "proj/__init__.py": "",
            "proj/settings/__init__.py": "",
            "proj/settings/base.py": "import os\nfrom pathlib import Path\n"
            "BASE_DIR = Path(__file__).resolve().parent.parent.parent\n"
            "DB_NAME = os.environ.get('APP_DB', 'fallback.sqlite3')\n",
            "proj/settings/dev.py": "from .base import *\nDATABASES = {\n  'default': {\n"
            "    'ENGINE': 'django.db.backends.sqlite3',\n"
            "    'NAME': os.path.join(BASE_DIR, 'var', DB_NAME),\n  }\n}\n",
        },
    )
    env = api.env(project=tmp_path).environments[0]
    assert "read statically" in env.source
    script = (
        "import django, json\nfrom django.conf import settings\ndjango.setup()\n"
        "print(json.dumps(str(settings.DATABASES['default']['NAME'])))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "proj.settings.dev", "PYTHONPATH": str(tmp_path)},
    )
    assert out.returncode == 0, out.stderr
    assert Path(make_url(env.url).database) == Path(json.loads(out.stdout)).resolve()
