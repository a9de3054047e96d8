"""Monorepos: the project root is the workspace package where the team runs its migration command
(``packages/db``, ``services/api``); ``detect`` at the repository root lists every migration project
below it, and a verb run there with several asks which one (``--project``), naming them."""

from __future__ import annotations

import json

from tests.helpers import write_files
from tests.test_detect_fixtures import FIXTURES


def prefixed(prefix: str, files: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}/{name}": text for name, text in files.items()}


def monorepo(tmp_path):
    repo = tmp_path / "repo"
    write_files(
        repo,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            "package.json": json.dumps({"private": True, "workspaces": ["packages/*", "services/*"]}),
            **prefixed("packages/db", FIXTURES["prisma"][0]),
            **prefixed("services/api", FIXTURES["alembic"][0]),
            "packages/db/node_modules/dep/prisma/schema.prisma": "decoy inside node_modules\n",
            "packages/web/src/index.ts": "export {};\n",
        },
    )
    return repo


def test_detect_at_the_root_lists_every_project_below(tmp_path, run_dbm):
    repo = monorepo(tmp_path)
    data = json.loads(run_dbm("detect", repo, "--format", "json").stdout)
    assert data["tool"] is None and data["recommendation"] is None
    assert [(p["path"], p["tool"], p["migrations_dir"], p["migration_count"]) for p in data["projects"]] == [
        ("packages/db", "prisma", "prisma/migrations", 2),
        ("services/api", "alembic", FIXTURES["alembic"][1], FIXTURES["alembic"][2]),
    ]
    text = run_dbm("detect", repo).stdout
    assert "2 migration projects below" in text and "packages/db: prisma" in text and "services/api: alembic" in text


def test_verbs_at_the_root_ask_which_project(tmp_path, run_dbm):
    repo = monorepo(tmp_path)
    out = run_dbm("status", cwd=repo)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "packages/db (prisma)" in text and "services/api (alembic)" in text and "--project" in text

    data = json.loads(run_dbm("detect", "--project", "packages/db", "--format", "json", cwd=repo).stdout)
    assert data["tool"] == "prisma" and data["root"] == str((repo / "packages" / "db").resolve())
    # run from inside the package: its own root, not the repository's
    inner = json.loads(run_dbm("detect", "--format", "json", cwd=repo / "services" / "api").stdout)
    assert inner["tool"] == "alembic"


def test_one_project_below_is_used_and_a_root_project_lists_the_others(tmp_path, run_dbm):
    repo = tmp_path / "repo"
    write_files(repo, {".git/HEAD": "", **prefixed("packages/db", FIXTURES["knex"][0])})
    data = json.loads(run_dbm("detect", repo, "--format", "json").stdout)
    assert data["tool"] == "knex" and data["root"] == str((repo / "packages" / "db").resolve())
    assert any("the only migration project below" in n for n in data["notes"])

    write_files(repo, FIXTURES["drizzle"][0])  # a project at the root too
    data = json.loads(run_dbm("detect", repo, "--format", "json").stdout)
    assert data["tool"] == "drizzle" and [p["path"] for p in data["projects"]] == ["packages/db"]
    assert "Projects below: packages/db (knex)" in run_dbm("detect", repo).stdout


def test_a_projects_own_folders_are_not_listed_as_projects_below(tmp_path):
    from dbmigrate_magic import api

    for tool, (files, _folder, _count) in FIXTURES.items():
        root = write_files(tmp_path / tool, {".git/HEAD": "", **files})
        result = api.detect(root)
        assert result.tool == tool and result.projects == (), (tool, result.projects)


def test_a_django_project_nested_in_another_is_listed_not_merged(tmp_path, run_dbm):
    """A repository whose root is a Django project (manage.py) holding a second Django project in a
    subfolder (its own manage.py): the root's migrations are its own apps', the other is listed below."""
    from tests import django_project as dj

    repo = tmp_path / "repo"
    dj.startproject(repo, f"sqlite:///{repo / 'db.sqlite3'}", ["rango"])
    dj.migration(repo, "rango", "0001_initial", [], "CREATE TABLE rango_page (id int)", "DROP TABLE rango_page")
    dj.migration(repo, "rango", "0002_more", [("rango", "0001_initial")], "SELECT 1", "SELECT 1")
    inner = repo / "polls_site"
    dj.startproject(inner, f"sqlite:///{inner / 'db.sqlite3'}", ["polls"])
    dj.migration(inner, "polls", "0001_initial", [], "CREATE TABLE polls_q (id int)", "DROP TABLE polls_q")
    (repo / ".git").mkdir()

    data = json.loads(run_dbm("detect", repo, "--format", "json").stdout)
    assert data["tool"] == "django" and data["root"] == str(repo.resolve())
    assert (data["migrations_dir"], data["migration_count"]) == ("rango/migrations", 2)
    assert [(p["path"], p["tool"], p["migrations_dir"], p["migration_count"]) for p in data["projects"]] == [
        ("polls_site", "django", "polls/migrations", 1)
    ]
