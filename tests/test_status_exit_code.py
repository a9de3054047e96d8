"""``dbm status --exit-code`` is a CI gate: a database that cannot be read fails it (exit 2), and a
status that could not read the database never says "up to date"."""

from __future__ import annotations

import pytest

from tests.helpers import make_project

USERS = "-- UP\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n\n-- DOWN\nDROP TABLE users;\n"
DOWN_URLS = ["postgresql://postgres@127.0.0.1:1/app", "mysql+pymysql://root@127.0.0.1:1/app"]


@pytest.mark.parametrize("url", DOWN_URLS)
def test_unreachable_database_exits_2(run_dbm, tmp_path, url):
    project = make_project(tmp_path / "app", url, {"20250101000000_users.sql": USERS})
    for flags in (("--exit-code",), ()):
        out = run_dbm("status", project, *flags)
        assert out.returncode == 2, out.stdout + out.stderr
        assert "up to date" not in out.stdout and "database is unknown" in out.stdout
        lines = out.stdout.splitlines()
        errors = [i for i, line in enumerate(lines) if line.startswith("Error:")]
        assert len(errors) == 1 and "Could not connect" in lines[errors[0]]
        assert lines[errors[0] + 1].startswith("migration")  # the driver's hint joined on the one line
        assert "20250101000000_users.sql" in out.stdout and "unknown" in out.stdout
    data = run_dbm("status", project, "--format", "json", "--exit-code")
    assert data.returncode == 2 and '"position": "unknown"' in data.stdout


def test_unparseable_url_exits_2(run_dbm, tmp_path):
    project = make_project(
        tmp_path / "app", "postgresql://postgres@127.0.0.1:notaport/app", {"20250101000000_users.sql": USERS}
    )
    out = run_dbm("status", project, "--exit-code")
    assert out.returncode == 2 and "up to date" not in out.stdout + out.stderr
    assert "notaport" in out.stderr


def test_readable_database_keeps_0_and_1(run_dbm, tmp_path, sqlite_url):
    project = make_project(tmp_path / "app", sqlite_url, {"20250101000000_users.sql": USERS})
    assert run_dbm("status", project).returncode == 0
    assert run_dbm("status", project, "--exit-code").returncode == 1  # pending
