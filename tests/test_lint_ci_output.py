"""`dbm lint --format github|sarif` and `--fail-on`: what a CI job reads from the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SQL = 'ALTER TABLE "Orders" DROP COLUMN note;\nALTER TABLE orders ADD COLUMN IF NOT EXISTS qty int;\n'


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    f = tmp_path / "0002_orders.sql"
    f.write_text(SQL)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "dbmigrate_magic", "lint", str(f), "--session-timeouts", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)


def test_github_annotations_point_at_file_and_line(tmp_path):
    out = run(tmp_path, "--format", "github")
    lines = out.stdout.splitlines()
    assert out.returncode == 1  # ban-drop-column is an error
    drop = next(x for x in lines if "title=ban-drop-column" in x)
    assert drop.startswith(f"::error file={tmp_path / '0002_orders.sql'},line=1,col=1,")
    assert "%0A" in drop and "\n" not in drop  # one line per annotation, newlines escaped
    bigint = next(x for x in lines if "title=prefer-bigint-over-int" in x)
    assert bigint.startswith("::warning ") and ",line=2," in bigint


def test_sarif_log_has_rules_results_and_regions(tmp_path):
    log = json.loads(run(tmp_path, "--format", "sarif").stdout)
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert {"ban-drop-column", "prefer-bigint-over-int"} <= set(rule_ids)
    for res in run_["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith("0002_orders.sql")
        assert loc["region"]["startLine"] in (1, 2)
    levels = {r["ruleId"]: r["level"] for r in run_["results"]}
    assert levels["ban-drop-column"] == "error" and levels["prefer-bigint-over-int"] == "warning"


def test_fail_on_sets_which_findings_count(tmp_path):
    only_warning = ("--include", "prefer-bigint-over-int")
    assert run(tmp_path, *only_warning).returncode == 0  # default: errors only
    assert run(tmp_path, *only_warning, "--fail-on", "warning").returncode == 1
    assert run(tmp_path, "--fail-on", "never").returncode == 0
    bad = run(tmp_path, "--fail-on", "sometimes")
    assert bad.returncode == 2 and "sometimes" in bad.stderr


def test_planted_passwords_never_reach_any_output(tmp_path, pg_url, run_dbm):
    """A password in the environment's URL (used to read the server version) and one inside the SQL:
    neither appears in text, json, github or sarif output, nor on stderr."""
    (tmp_path / "migrations").mkdir()
    url = pg_url.replace("://postgres@", "://postgres:Planted_pw_7731@")
    assert "Planted_pw_7731" in url  # the password is really planted
    (tmp_path / ".env").write_text(f"DATABASE_URL={url}\n")
    (tmp_path / "pyproject.toml").write_text('[tool.dbm.lint]\nenable = ["require-table-schema"]\n')
    f = tmp_path / "migrations" / "20260101000000_x.sql"
    f.write_text(
        'ALTER TABLE users ADD COLUMN dsn json DEFAULT \'{"url": "postgresql://app:S3cretPw_991@db/x"}\';\n'
        "ALTER TABLE users DROP COLUMN old;\n"
    )
    for fmt in ("text", "json", "github", "sarif"):
        out = run_dbm("lint", f, "--format", fmt, cwd=tmp_path)
        assert "ban-drop-column" in out.stdout, fmt
        for secret in ("Planted_pw_7731", "S3cretPw_991"):
            assert secret not in out.stdout and secret not in out.stderr, (fmt, secret)
    assert "from the server of environment" in run_dbm("lint", f, cwd=tmp_path).stdout
