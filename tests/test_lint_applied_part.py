"""``dbm lint FILE`` on a migration of the project lints what ``migrate`` runs: the down part in
the same file (raw SQL ``-- DOWN``, dbmate ``-- migrate:down``) is left out, with the file's line
numbers kept; ``--include-down`` lints the whole file."""

from __future__ import annotations

import json

import pytest

from dbmigrate_magic import api
from tests.helpers import write_files

# the up part adds a column with a volatile default (a finding on line 3); the down part drops it
RAW = "-- UP\n\nALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\n-- DOWN\nALTER TABLE users DROP COLUMN token;\n"
DBMATE = (
    "-- migrate:up\n\nALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()\n"
    "-- migrate:down\nALTER TABLE users DROP COLUMN token;\n"
)


@pytest.mark.parametrize(
    "files",
    [
        {"migrations/0002_token.sql": RAW, "migrations/0001_users.sql": "-- UP\nCREATE TABLE users (id int);\n"},
        {
            "db/migrations/20240102000000_token.sql": DBMATE,
            "db/migrations/20240101000000_users.sql": "-- migrate:up\nCREATE TABLE users (id int);\n",
            "package.json": json.dumps({"scripts": {"migrate": "dbmate up"}}),
        },
    ],
    ids=["rawsql", "dbmate"],
)
def test_lint_file_lints_the_part_migrate_runs(tmp_path, run_dbm, files):
    root = write_files(tmp_path / "app", {".env": "DATABASE_URL=postgresql://u@127.0.0.1:1/app\n", **files})
    target = root / next(name for name in files if "token" in name)

    up_only = api.lint([target], project=root, dialect="postgresql")
    rules = {f.rule for f in up_only.findings}
    assert "ban-drop-column" not in rules, up_only.findings  # the down part is not what migrate runs
    assert [f.line for f in up_only.findings if f.rule == "adding-field-with-default"] == [3]
    assert any("down part left out" in n for n in up_only.notes), up_only.notes

    both = api.lint([target], project=root, dialect="postgresql", include_down=True)
    assert "ban-drop-column" in {f.rule for f in both.findings}

    cli = run_dbm("lint", target, "--project", root, "--dialect", "postgresql", "--format", "json")
    assert "ban-drop-column" not in cli.stdout and "adding-field-with-default" in cli.stdout, cli.stderr
    cli_both = run_dbm("lint", target, "--project", root, "--dialect", "postgresql", "--include-down")
    assert "ban-drop-column" in cli_both.stdout, cli_both.stderr


def test_a_file_outside_any_project_is_linted_whole(tmp_path):
    loose = write_files(tmp_path / "loose", {"change.sql": RAW}) / "change.sql"
    assert "ban-drop-column" in {f.rule for f in api.lint([loose], dialect="postgresql").findings}
