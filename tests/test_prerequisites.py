"""A missing tool is a skip on a developer's machine and a failure in CI (DBM_REQUIRE_SERVERS=1):
a green CI run must mean the Node and Java cross-checks really ran."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO, dbm_env

NODE_TEST = "tests/test_knex_status.py::test_lock_held_is_reported"
JAVA_TEST = "tests/test_extras_history.py::test_flyway_checksum_matches_the_jdk"
BROWSER_TEST = "tests/test_browser_notebook.py::test_production_apply_is_kept_in_the_saved_notebook"


def run_pytest(test_id: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rfEs", "-p", "no:randomly", test_id],
        cwd=REPO,
        env=dbm_env(env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def outcome(out: subprocess.CompletedProcess) -> str:
    """skipped, or failed (a check in a fixture is reported as an error: a failing run all the same)."""
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    if out.returncode == 0 and "1 skipped" in last:
        return "skipped"
    if out.returncode == 1 and ("1 failed" in last or "1 error" in last):
        return "failed"
    return f"unexpected: {out.stdout}{out.stderr}"


@pytest.mark.parametrize("require, expected", [("1", "failed"), ("0", "skipped")])
def test_missing_npm_packages(tmp_path, require, expected):
    empty = tmp_path / "node_modules"
    empty.mkdir()
    out = run_pytest(NODE_TEST, {"DBM_REQUIRE_SERVERS": require, "DBM_NODE_MODULES": str(empty)})
    assert outcome(out) == expected
    assert "knex@3.3.0 (absent)" in out.stdout or require == "0"  # the failure names what is missing


@pytest.mark.parametrize("require, expected", [("1", "failed"), ("0", "skipped")])
def test_missing_java(tmp_path, require, expected):
    no_tools = tmp_path / "bin"  # a PATH on which there is no java (pytest runs by its full path)
    no_tools.mkdir()
    out = run_pytest(JAVA_TEST, {"DBM_REQUIRE_SERVERS": require, "PATH": str(no_tools)})
    assert outcome(out) == expected
    assert "no java" in out.stdout or require == "0"


@pytest.mark.parametrize("require, expected", [("1", "failed"), ("0", "skipped")])
def test_missing_browser(tmp_path, require, expected):
    out = run_pytest(BROWSER_TEST, {"DBM_REQUIRE_SERVERS": require, "DBM_CHROMIUM": str(tmp_path / "no-chromium")})
    assert outcome(out) == expected
    assert "no browser at" in out.stdout or require == "0"
