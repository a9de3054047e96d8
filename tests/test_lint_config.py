"""Project lint defaults ([tool.dbm.lint] / .dbm/lint.toml) and where the PostgreSQL version comes from."""

from __future__ import annotations

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.errors import ConfigError

SQL = "ALTER TABLE orders ADD COLUMN qty int;\nALTER TABLE orders ADD COLUMN total bigint DEFAULT 0;\n"


def _file(tmp_path):
    f = tmp_path / "0001_orders.sql"
    f.write_text(SQL)
    return f


def test_pyproject_sets_rules_severity_fail_on_and_version(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.dbm.lint]\npg-version = 10\ndisable = ["prefer-robust-stmts"]\n'
        'fail-on = "warning"\n\n[tool.dbm.lint.severity]\nprefer-bigint-over-int = "error"\n'
    )
    r = api.lint([_file(tmp_path)], project=tmp_path, session_timeouts=True)
    rules = {f.rule: f.severity for f in r.findings}
    assert "prefer-robust-stmts" not in rules
    assert rules["prefer-bigint-over-int"] == "error"  # raised from warning by the project
    assert "adding-field-with-default" in rules  # a constant default rewrites the table before 11
    assert r.pg_version == 10 and "pyproject.toml" in r.pg_version_source
    assert r.fail_on == "warning"
    assert any("pyproject.toml [tool.dbm.lint]" in n for n in r.notes)
    # the command line wins over the file
    r = api.lint([_file(tmp_path)], project=tmp_path, pg_version="16", fail_on="never", session_timeouts=True)
    assert r.pg_version == 16 and r.pg_version_source == "--pg-version" and r.exit_code() == 0


def test_dbm_lint_toml_enables_an_opt_in_rule(tmp_path):
    (tmp_path / ".dbm").mkdir()
    (tmp_path / ".dbm" / "lint.toml").write_text('enable = ["require-table-schema"]\n')
    r = api.lint([_file(tmp_path)], project=tmp_path, session_timeouts=True)
    assert [f.line for f in r.findings if f.rule == "require-table-schema"] == [1, 2]
    (tmp_path / ".dbm" / "lint.toml").write_text("")
    r = api.lint([_file(tmp_path)], project=tmp_path, session_timeouts=True)
    assert not any(f.rule == "require-table-schema" for f in r.findings)  # opt-in: off by default


@pytest.mark.parametrize(
    "body, says",
    [
        ('disable = ["no-such-rule"]\n', "no-such-rule"),
        ('fail-on = "sometimes"\n', "fail-on"),
        ("colour = 1\n", "colour"),
        ("pg-version = [\n", "not valid TOML"),
    ],
)
def test_bad_config_is_a_clear_error_naming_the_file(tmp_path, body, says):
    (tmp_path / ".dbm").mkdir()
    (tmp_path / ".dbm" / "lint.toml").write_text(body)
    with pytest.raises(ConfigError) as err:
        api.lint([_file(tmp_path)], project=tmp_path)
    assert says in err.value.message and "lint.toml" in err.value.message
    assert "docs/lint.md" in err.value.next_step


def test_version_comes_from_the_environments_server(tmp_path, pg_url, run_dbm):
    (tmp_path / "migrations").mkdir()
    (tmp_path / ".env").write_text(f"DATABASE_URL={pg_url}\n")
    (tmp_path / "pyproject.toml").write_text('[tool.dbm.lint]\npg-version = "11"\n')
    f = tmp_path / "migrations" / "20260101000000_x.sql"
    f.write_text("ALTER TABLE users ADD COLUMN seen boolean;\n")
    out = run_dbm("lint", f, "--dialect", "postgresql", cwd=tmp_path)
    assert "postgresql 15 from the server of environment" in out.stdout  # the server wins over the file
    out = run_dbm("lint", f, "--pg-version", "13", cwd=tmp_path)
    assert "postgresql 13 from --pg-version" in out.stdout
