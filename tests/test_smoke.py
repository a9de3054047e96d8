"""The first verbs end to end on the shipped example project."""

import json
import shutil

from conftest import REPO


def test_detect_and_status_on_example(tmp_path, run_dbm):
    project = tmp_path / "app"
    shutil.copytree(REPO / "examples" / "rawsql_app", project, ignore=shutil.ignore_patterns("*.db", ".dbm"))
    out = run_dbm("detect", project, "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["tool"] == "rawsql"
    assert data["migration_count"] == 2
    out = run_dbm("status", project, "--format", "json", "--exit-code")
    assert out.returncode == 1
    rows = json.loads(out.stdout)["migrations"]
    assert [r["state"] for r in rows] == ["pending", "pending"]
    assert not (project / "dev.db").exists() or (project / "dev.db").stat().st_size == 0
