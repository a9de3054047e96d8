"""Verbs that only look never create a SQLite file: a mistyped path must not leave an empty
database behind that the next `migrate` would then fill (issue 11)."""

from __future__ import annotations

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.errors import DbmError
from tests.helpers import make_project

MIGRATION = {
    "20250101000000_users.sql": "-- UP\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n-- DOWN\nDROP TABLE users;\n"
}

# (CLI arguments, the same call through the api); {p} is the project folder
VERBS = {
    "lint --pending": (["lint", "--pending", "--project", "{p}"], lambda p: api.lint(pending=True, project=p)),
    "status": (["status", "{p}"], lambda p: api.status(p)),
    "detect": (["detect", "{p}"], lambda p: api.detect(p)),
    "env": (["env", "--project", "{p}"], lambda p: api.env(project=p)),
    "drift": (["drift", "--project", "{p}"], lambda p: api.drift(p)),
    "diff": (
        ["diff", "development", "staging", "--project", "{p}"],
        lambda p: api.diff("development", "staging", project=p),
    ),
    "backups": (["backups", "--project", "{p}"], lambda p: api.backups(p)),
    "scratch": (["scratch", "--project", "{p}"], lambda p: api.scratch(project=p)),
}


def project_without_databases(root):
    """A raw SQL project whose two environments name SQLite files that do not exist yet."""
    make_project(root, "sqlite:///dev.db", MIGRATION)
    (root / ".env.staging").write_text("DATABASE_URL=sqlite:///staging.db\n")
    return root


def sqlite_files(root) -> list[str]:
    return sorted(p.name for p in root.rglob("*.db*") if p.is_file())


@pytest.mark.parametrize("verb", VERBS)
def test_api_creates_no_sqlite_file(tmp_path, verb):
    root = project_without_databases(tmp_path / "app")
    try:
        VERBS[verb][1](root)
    except DbmError:
        pass  # refusing is fine (nothing to compare); creating a file is not
    assert sqlite_files(root) == []


@pytest.mark.parametrize("verb", VERBS)
def test_cli_creates_no_sqlite_file(tmp_path, run_dbm, verb):
    root = project_without_databases(tmp_path / "app")
    out = run_dbm(*(a.format(p=root) for a in VERBS[verb][0]), cwd=root)
    assert "Traceback" not in out.stderr, out.stderr
    assert sqlite_files(root) == []
