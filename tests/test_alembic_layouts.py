"""Alembic layouts seen in real projects: Flask-Migrate (``migrations/alembic.ini`` with no
``script_location``, env.py on ``current_app``), ``[tool.alembic]`` in pyproject.toml, several
``version_locations`` and ``%(here)s`` paths. Fixtures are our own files in each layout's shape;
applying goes through the real Alembic and is checked with the real ``alembic`` CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests import alembic_project as ap
from tests.helpers import execute, scalar, status_json, tables, write_files

FLASK_INI = """# Flask-Migrate's shape: no script_location (flask db sets it), logging only
[alembic]
# file_template = %%(rev)s_%%(slug)s

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

FLASK_ENV = """from flask import current_app
from alembic import context

config = context.config
config.set_main_option("sqlalchemy.url", str(current_app.extensions["migrate"].db.engine.url))
target_db = current_app.extensions["migrate"].db


def run_migrations_online():
    with current_app.extensions["migrate"].db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
"""

FLASK_CONFIG = """import os
from dotenv import load_dotenv

basedir = os.path.abspath(os.path.dirname(__file__))
load_dotenv(os.path.join(basedir, ".env"))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "you-will-never-guess"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or "sqlite:///" + os.path.join(basedir, "app.db")
"""


MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


def revision_text(rev: str, down: str | None, n: int) -> str:
    return (
        f'"""step {n}\n\nRevision ID: {rev}\nRevises: {down or ""}\n"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade():\n    op.execute('CREATE TABLE t{n} (id INTEGER)')\n\n\n"
        f"def downgrade():\n    op.execute('DROP TABLE t{n}')\n"
    )


def flask_project(root: Path, count: int = 27, config: str = FLASK_CONFIG) -> list[str]:
    """A Flask-Migrate app: app/ package, config.py, migrations/ with ``count`` chained revisions."""
    revs = [f"{i:04x}a1b2c3d4" for i in range(1, count + 1)]
    files = {
        ".git/HEAD": "ref: refs/heads/main\n",
        "config.py": config,
        "app/__init__.py": "from flask import Flask\nfrom flask_migrate import Migrate\nfrom config import Config\n",
        "migrations/alembic.ini": FLASK_INI,
        "migrations/env.py": FLASK_ENV,
        "migrations/README": "Single-database configuration for Flask.\n",
        "migrations/script.py.mako": "# template\n",
    }
    for i, rev in enumerate(revs):
        down = revs[i - 1] if i else None
        files[f"migrations/versions/{rev}_step_{i + 1}.py"] = revision_text(rev, down, i + 1)
    write_files(root, files)
    return revs


def test_flask_migrate_detected_and_status_lists_every_revision(tmp_path, run_dbm):
    root = tmp_path / "microblog"
    revs = flask_project(root)

    out = run_dbm("detect", root, "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["tool"] == "alembic"
    assert data["migrations_dir"] == "migrations/versions" and data["migration_count"] == 27
    assert any("Flask-Migrate" in e for e in data["evidence"])
    # the connection comes from config.py's literal fallback, and detect says so
    assert data["connection"] == f"sqlite:///{root / 'app.db'}"
    assert "config.py Config.SQLALCHEMY_DATABASE_URI" in data["connection_source"]
    assert any("read statically from config.py" in n and "$DATABASE_URL" in n for n in data["notes"])

    status = status_json(run_dbm, root)
    assert [r["migration"] for r in status["migrations"]] == revs
    assert {r["state"] for r in status["migrations"]} == {"pending"}
    assert not (root / "app.db").exists()  # read-only: no SQLite file created
    gate = run_dbm("status", root, "--exit-code")
    assert gate.returncode != 0 and "up to date" not in gate.stdout

    # the database at revision 10, as `flask db upgrade 000aa1b2c3d4` leaves it
    url = f"sqlite:///{root / 'app.db'}"
    execute(url, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    execute(url, f"INSERT INTO alembic_version VALUES ('{revs[9]}')")
    states = [r["state"] for r in status_json(run_dbm, root)["migrations"]]
    assert states == ["applied"] * 10 + ["pending"] * 17

    # run from inside migrations/: the project root is still where `flask db` runs
    inner = json.loads(run_dbm("detect", root / "migrations", "--format", "json").stdout)
    assert inner["root"] == str(root) and inner["migration_count"] == 27


def test_flask_migrate_connection_from_dotenv_beats_the_fallback(tmp_path, run_dbm, db_url):
    root = tmp_path / "app"
    flask_project(root, count=3)
    (root / ".env").write_text(f"DATABASE_URL={db_url}\n")
    data = json.loads(run_dbm("detect", root, "--format", "json").stdout)
    assert data["connection_source"] == ".env (DATABASE_URL)"
    assert [r["state"] for r in status_json(run_dbm, root)["migrations"]] == ["pending"] * 3


def test_flask_migrate_unreadable_config_is_said(tmp_path, run_dbm):
    root = tmp_path / "app"
    config = "import os\nfrom .settings import URI\n\nclass Config:\n    SQLALCHEMY_DATABASE_URI = URI\n"
    flask_project(root, count=2, config=config)
    data = json.loads(run_dbm("detect", root, "--format", "json").stdout)
    assert data["connection"] is None
    assert any("could not be read statically" in n for n in data["notes"])


def test_flask_migrate_revisions_applied_and_written_with_real_alembic(tmp_path, run_dbm, db_url):
    """Flask-Migrate's env.py needs the Flask app; dbm runs the project's own revisions (and its
    script.py.mako) with Alembic and a stand-in env.py on the selected connection, as
    `flask db upgrade` / `flask db downgrade` would."""
    root = tmp_path / "app"
    revs = flask_project(root, count=3)
    (root / "migrations" / "script.py.mako").write_text(MAKO)
    (root / ".env").write_text(f"DATABASE_URL={db_url}\n")

    out = run_dbm("migrate", root, "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    assert scalar(db_url, "SELECT version_num FROM alembic_version") == revs[-1]
    assert {"t1", "t2", "t3"} <= tables(db_url)
    out = run_dbm("rollback", root, "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    assert scalar(db_url, "SELECT version_num FROM alembic_version") == revs[1]

    out = run_dbm("new", "add notes", "--project", root)  # written where flask db looks, from its template
    assert out.returncode == 0, out.stdout + out.stderr
    written = [p for p in (root / "migrations" / "versions").glob("*.py") if "add_notes" in p.name]
    assert len(written) == 1 and f"down_revision = {revs[-1]!r}" in written[0].read_text()
    assert not (root / "migrations" / "env.py").read_text().startswith("# Written by dbmigrate_magic")
    out = run_dbm("generate", "--name", "auto", "--autogenerate", "--project", root, "--env", db_url)
    assert out.returncode != 0 and "flask db migrate" in out.stdout + out.stderr


def test_pyproject_tool_alembic_with_here_and_two_version_locations(tmp_path, run_dbm, db_url):
    root = tmp_path / "proj"
    root.mkdir()
    subprocess.run(
        [sys.executable, "-m", "alembic", "init", "-t", "pyproject", "db"], cwd=root, check=True, capture_output=True
    )
    pyproject = (root / "pyproject.toml").read_text()
    pyproject = pyproject.replace(
        "[tool.alembic]\n",
        '[tool.alembic]\nversion_locations = ["%(here)s/db/versions", "%(here)s/db/extra"]\n',
        1,
    )
    (root / "pyproject.toml").write_text(pyproject)
    ini = (root / "alembic.ini").read_text()
    (root / "alembic.ini").write_text(
        re.sub(r"^sqlalchemy\.url = .*$", "sqlalchemy.url = " + db_url.replace("%", "%%"), ini, flags=re.M)
    )
    (root / "db" / "extra").mkdir()
    (root / "db" / "versions" / "aa01_one.py").write_text(revision_text("aa01", None, 1))
    (root / "db" / "extra" / "bb02_two.py").write_text(revision_text("bb02", "aa01", 2))

    data = json.loads(run_dbm("detect", root, "--format", "json").stdout)
    assert data["tool"] == "alembic" and data["migration_count"] == 2
    assert "pyproject.toml" in data["evidence"]
    assert data["migrations_dir"] == "db/versions, db/extra"
    assert [r["migration"] for r in status_json(run_dbm, root)["migrations"]] == ["aa01", "bb02"]

    out = run_dbm("migrate", root, "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    assert ap.cli(root, "current").stdout.split()[0] == "bb02"  # the real CLI, reading pyproject.toml
    assert {"t1", "t2"} <= tables(db_url)
    out = run_dbm("rollback", root, "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    assert scalar(db_url, "SELECT version_num FROM alembic_version") == "aa01"


def test_ini_here_script_location_and_space_separated_version_locations(tmp_path, run_dbm, db_url):
    root = tmp_path / "proj"
    ap.init(root, db_url)
    ini = (root / "alembic.ini").read_text()
    ini = re.sub(r"^script_location = .*$", "script_location = %(here)s/alembic", ini, flags=re.M)
    ini = re.sub(r"^path_separator = .*$", "path_separator = space", ini, flags=re.M)
    ini = ini.replace("[alembic]\n", "[alembic]\nversion_locations = %(here)s/alembic/versions %(here)s/plugins\n", 1)
    (root / "alembic.ini").write_text(ini)
    (root / "plugins").mkdir()
    (root / "alembic" / "versions" / "cc01_one.py").write_text(revision_text("cc01", None, 1))
    (root / "plugins" / "dd02_two.py").write_text(revision_text("dd02", "cc01", 2))

    assert [r["migration"] for r in status_json(run_dbm, root)["migrations"]] == ["cc01", "dd02"]
    out = run_dbm("migrate", root, "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    assert ap.cli(root, "current").stdout.split()[0] == "dd02"
    assert [r["state"] for r in status_json(run_dbm, root)["migrations"]] == ["applied", "applied"]
