"""``dbm generate --autogenerate``: the tool's own model comparison (Alembic autogenerate, Django
makemigrations) writes the migration; ``dbm migrate`` applies it; the tools judge the result."""

from __future__ import annotations

import json

import pytest

from tests import alembic_project as ap
from tests import django_project as dj
from tests.helpers import status_json, tables

MODELS = """from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Gadget(Base):
    __tablename__ = "gadgets"
    id = Column(Integer, primary_key=True)
    label = Column(String(40), nullable=False)
"""

DJANGO_MODEL = """from django.db import models


class Widget(models.Model):
    title = models.CharField(max_length=50)
"""


def alembic_with_models(root, url, metadata: bool = True):
    ap.init(root, url)
    (root / "models.py").write_text(MODELS)
    env_py = root / "alembic" / "env.py"
    text = env_py.read_text()
    assert "target_metadata = None" in text
    if metadata:
        text = text.replace("target_metadata = None", "from models import Base\ntarget_metadata = Base.metadata")
        env_py.write_text(text)
    return root


def status(run_dbm, root) -> list[str]:
    return [r["state"] for r in status_json(run_dbm, root)["migrations"]]


def alembic_round(tmp_path, run_dbm, url):
    root = alembic_with_models(tmp_path / "proj", url)
    out = run_dbm("generate", "--name", "add_gadgets", "--autogenerate", "--project", root)
    assert out.returncode == 0, out.stderr + out.stdout
    revisions = ap.history_revisions(root)
    assert len(revisions) == 1  # Alembic lists the revision it wrote
    written = next((root / "alembic" / "versions").glob("*add_gadgets*.py"))
    assert "op.create_table" in written.read_text() and "gadgets" in written.read_text()
    assert written.name in out.stdout and "CREATE TABLE gadgets" in out.stdout  # file and SQL preview shown
    assert "gadgets" not in tables(url)  # nothing applied
    assert status(run_dbm, root) == ["pending"]

    out = run_dbm("migrate", root, "--yes")
    assert out.returncode == 0, out.stderr + out.stdout
    assert "gadgets" in tables(url)
    assert ap.current_heads(root) == set(revisions)
    assert status(run_dbm, root) == ["applied"]

    out = run_dbm("generate", "--name", "again", "--autogenerate", "--project", root)  # models == database
    assert out.returncode == 0, out.stderr + out.stdout
    assert "no changes" in out.stdout
    assert ap.history_revisions(root) == revisions
    assert len(list((root / "alembic" / "versions").glob("*.py"))) == 1
    return root


def test_alembic_autogenerate_sqlite(tmp_path, run_dbm, sqlite_url):
    alembic_round(tmp_path, run_dbm, sqlite_url)


@pytest.mark.postgres
def test_alembic_autogenerate_postgres_masks_password(tmp_path, run_dbm, pg_url):
    from sqlalchemy.engine import make_url

    secret = "S3cretAutogen"  # the server trusts local connections: any password works, none may show
    url = make_url(pg_url).set(password=secret).render_as_string(hide_password=False)
    root = alembic_round(tmp_path, run_dbm, url)
    for path in root.rglob("*.py"):
        assert secret not in path.read_text()
    out = run_dbm("generate", "--name", "again", "--autogenerate", "--project", root, "--format", "json")
    assert out.returncode == 0 and secret not in out.stdout + out.stderr


def test_alembic_json_result_and_hint(tmp_path, run_dbm, sqlite_url):
    root = alembic_with_models(tmp_path / "proj", sqlite_url)
    schema = tmp_path / "desired.sql"
    schema.write_text("CREATE TABLE notes (id INTEGER PRIMARY KEY);\n")
    out = run_dbm("generate", "--name", "add_notes", "--from-schema", schema, "--project", root)
    assert out.returncode == 0, out.stderr
    assert "--autogenerate" in out.stdout  # env.py sets target_metadata: the user is told about it

    out = run_dbm("generate", "--name", "add_gadgets", "--autogenerate", "--project", root, "--format", "json")
    # the revision from --from-schema is not applied yet: autogenerate needs an up-to-date database
    assert out.returncode != 0 and "dbm migrate" in out.stderr and "Traceback" not in out.stderr
    assert len(ap.history_revisions(root)) == 1

    assert run_dbm("migrate", root, "--yes").returncode == 0
    out = run_dbm("generate", "--name", "add_gadgets", "--autogenerate", "--project", root, "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len(data["files"]) == 1 and "add_gadgets" in data["files"][0]
    assert "create_table" in data["content"] and "gadgets" in data["up_sql"]


def test_alembic_without_target_metadata(tmp_path, run_dbm, sqlite_url):
    root = alembic_with_models(tmp_path / "proj", sqlite_url, metadata=False)
    out = run_dbm("generate", "--name", "add_gadgets", "--autogenerate", "--project", root)
    assert out.returncode != 0
    assert "target_metadata" in out.stderr and "Traceback" not in out.stderr
    assert ap.history_revisions(root) == []
    schema = tmp_path / "desired.sql"
    schema.write_text("CREATE TABLE notes (id INTEGER PRIMARY KEY);\n")
    out = run_dbm("generate", "--name", "add_notes", "--from-schema", schema, "--project", root)
    assert out.returncode == 0 and "--autogenerate" not in out.stdout  # no hint without models


def test_django_makemigrations(tmp_path, run_dbm, sqlite_url):
    root = dj.startproject(tmp_path / "proj", sqlite_url, ["shop"])
    assert run_dbm("migrate", root, "--yes").returncode == 0  # Django's own apps first

    out = run_dbm("generate", "--name", "nothing_yet", "--autogenerate", "--project", root)
    assert out.returncode == 0, out.stderr + out.stdout
    assert "no changes" in out.stdout
    assert list((root / "shop" / "migrations").glob("0*.py")) == []

    (root / "shop" / "models.py").write_text(DJANGO_MODEL)
    out = run_dbm("generate", "--name", "add_widget", "--autogenerate", "--project", root)
    assert out.returncode == 0, out.stderr + out.stdout
    written = root / "shop" / "migrations" / "0001_add_widget.py"
    assert written.is_file() and "CreateModel" in written.read_text()
    assert "shop_widget" in out.stdout  # the SQL preview (sqlmigrate)
    assert "shop_widget" not in tables(sqlite_url)
    assert (False, "shop.0001_add_widget") in dj.showmigrations_plan(root, sqlite_url)

    out = run_dbm("migrate", root, "--yes")
    assert out.returncode == 0, out.stderr + out.stdout
    assert "shop_widget" in tables(sqlite_url)
    assert (True, "shop.0001_add_widget") in dj.showmigrations_plan(root, sqlite_url)

    schema = tmp_path / "desired.sql"
    schema.write_text("CREATE TABLE notes (id INTEGER PRIMARY KEY);\n")
    out = run_dbm("generate", "--name", "x", "--from-schema", schema, "--dry-run", "--project", root)
    assert out.returncode == 0 and "--autogenerate" in out.stdout  # the hint


def test_usage_needs_a_source(tmp_path, run_dbm, sqlite_url):
    root = alembic_with_models(tmp_path / "proj", sqlite_url)
    out = run_dbm("generate", "--name", "x", "--project", root)
    assert out.returncode != 0 and "--autogenerate" in out.stderr
