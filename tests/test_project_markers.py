"""The cheap "may this folder hold a project" test never skips a folder a tool would claim."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbmigrate_magic.adapters.drizzle.adapter import CONFIG_NAMES
from dbmigrate_magic.adapters.flyway.adapter import FOLDERS as FLYWAY_FOLDERS
from dbmigrate_magic.adapters.golang_migrate.adapter import FOLDERS as GOLANG_FOLDERS
from dbmigrate_magic.adapters.goose.files import FOLDERS as GOOSE_FOLDERS
from dbmigrate_magic.adapters.knex.adapter import KNEXFILES
from dbmigrate_magic.adapters.typeorm.locate import DATA_SOURCE_NAMES, ORMCONFIG_NAMES
from dbmigrate_magic.project import detect_in, first_match
from dbmigrate_magic.project_markers import MARKERS, TOOL_MARKERS, may_hold_project, may_match, root_names


def test_markers_cover_every_adapter_constant() -> None:
    names = [*CONFIG_NAMES, *KNEXFILES, *DATA_SOURCE_NAMES, *ORMCONFIG_NAMES]
    names += [*FLYWAY_FOLDERS, *GOLANG_FOLDERS, *(f for f in GOOSE_FOLDERS if f != ".")]
    missing = {n.split("/")[0] for n in names} - MARKERS
    assert not missing


def test_tool_markers_cover_each_adapters_own_constants() -> None:
    """Each gated tool's config names and default folders are among its own markers (first path part)."""
    own = {
        "prisma": ["prisma/schema.prisma", "schema.prisma"],
        "drizzle": [*CONFIG_NAMES, "drizzle"],
        "knex": list(KNEXFILES),
        "typeorm": [*DATA_SOURCE_NAMES, *ORMCONFIG_NAMES, "package.json"],
        "alembic": ["alembic.ini", "pyproject.toml", "alembic", "migrations/alembic.ini"],
        "django": ["manage.py"],
    }
    assert set(own) == set(TOOL_MARKERS)
    for tool, names in own.items():
        assert {n.split("/")[0] for n in names} <= TOOL_MARKERS[tool], tool
        assert TOOL_MARKERS[tool] <= MARKERS, tool


@pytest.mark.parametrize(
    "files",
    [
        {"migrations/0001_init.sql": "CREATE TABLE t (id int);"},
        {"20240101120000_init.sql": "-- +goose Up\nCREATE TABLE t (id int);\n"},
        {"db/migrations/20240101_init.sql": "-- migrate:up\nCREATE TABLE t (id int);\n"},
        {"prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n}\n'},
        {"knexfile.js": "module.exports = {}\n"},
        {"alembic.ini": "[alembic]\nscript_location = alembic\n", "alembic/env.py": ""},
        {"migrations/alembic.ini": "[alembic]\n", "migrations/env.py": "", "migrations/versions/.keep": ""},
        {"manage.py": "import django\n", "knexfile.js": "module.exports = {}\n"},  # knex first, as detect_in
        {"manage.py": "import django\n", "pyproject.toml": "[project]\nname = 'x'\n"},
        {"drizzle/meta/_journal.json": '{"entries": []}', "migrations/0001_init.sql": "CREATE TABLE t (id int);"},
        {"data-source.ts": 'import { DataSource } from "typeorm";\n', "db/migrations/1_a.up.sql": "SELECT 1;"},
        {"migrations/1_init.up.sql": "SELECT 1;", "migrations/1_init.down.sql": "SELECT 1;"},  # golang-migrate
    ],
)
def test_a_folder_a_tool_claims_is_never_skipped(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    matches = detect_in(tmp_path)[0]
    assert matches, "the example is a real project"
    assert may_hold_project(tmp_path)
    assert may_match(matches[0].tool, root_names(tmp_path))
    assert first_match(tmp_path) == matches[0]  # what status uses: the same first match, found sooner


def test_a_folder_of_plain_sql_files_is_skipped_and_detects_nothing(tmp_path: Path) -> None:
    (tmp_path / "fix_users.sql").write_text("UPDATE users SET a = 1;")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "scratch").mkdir()
    assert not may_hold_project(tmp_path)
    assert detect_in(tmp_path) == ([], [])
