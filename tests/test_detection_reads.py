"""Finding a project reads each migration file once, however many adapters look at it.

goose looks for ``-- +goose Up``, dbmate for ``-- migrate:up`` and our raw SQL format for neither,
all in the same ``migrations/*.sql``; each used to open every file itself (five reads per file for
one ``dbm migrate --dry-run``), which at a thousand migrations was a tenth of a second per command.
"""

from __future__ import annotations

import builtins
import collections

from dbmigrate_magic.project import find_project
from tests.helpers import make_project


def test_finding_a_raw_sql_project_opens_each_migration_once(tmp_path, monkeypatch):
    files = {f"2025010100{i:04d}_step_{i}.sql": f"-- UP\nCREATE TABLE t{i} (id INTEGER);\n" for i in range(30)}
    root = make_project(tmp_path / "app", f"sqlite:///{tmp_path / 'app.db'}", files)
    opened: collections.Counter[str] = collections.Counter()
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        if str(file).endswith(".sql"):
            opened[str(file)] += 1
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    project = find_project(root)
    assert project.adapter.tool == "rawsql" and len(project.adapter.migration_files()) == 30
    found = {p.rsplit("/", 1)[-1] for p in opened}
    assert found == set(files)
    assert max(opened.values()) == 1, opened.most_common(3)


def test_a_goose_folder_is_still_goose_and_raw_sql_files_beside_dbmate_still_raw_sql(tmp_path):
    goose = tmp_path / "goose"
    (goose / "migrations").mkdir(parents=True)
    (goose / "migrations" / "20250101000000_init.sql").write_text(
        "-- +goose Up\nCREATE TABLE a (id INTEGER);\n-- +goose Down\nDROP TABLE a;\n"
    )
    assert find_project(goose).adapter.tool == "goose"
    raw = make_project(
        tmp_path / "raw", f"sqlite:///{tmp_path / 'raw.db'}", {"20250101000000_a.sql": "-- UP\nSELECT 1;\n"}
    )
    assert find_project(raw).adapter.tool == "rawsql"
