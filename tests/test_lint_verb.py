"""``dbm lint`` / ``%dbm lint`` / ``%%dbm lint`` / ``api.lint`` as a user meets them."""

from __future__ import annotations

import json

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.safety.lint import lint_sql

DANGEROUS = """SET lock_timeout = '2s';
SET statement_timeout = '5min';
ALTER TABLE users ADD COLUMN IF NOT EXISTS note text;
CREATE INDEX users_note_idx ON users (note);
"""


def test_cli_json_lists_findings_with_positions_and_exits_1(tmp_path, run_dbm):
    f = tmp_path / "0001_note.sql"
    f.write_text(DANGEROUS)
    out = run_dbm("lint", f, "--format", "json", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    findings = json.loads(out.stdout)
    index = [x for x in findings if x["rule"] == "require-concurrent-index-creation"]
    assert len(index) == 1
    hit = index[0]
    assert {"rule", "severity", "line", "column", "message", "help"} <= set(hit)
    assert (hit["severity"], hit["line"], hit["column"]) == ("error", 4, 1)
    assert "SHARE lock" in hit["message"] and "CONCURRENTLY" in hit["help"]


def test_cli_safe_file_exits_0_and_text_output_names_rule(tmp_path, run_dbm):
    f = tmp_path / "safe.sql"
    f.write_text(DANGEROUS.replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY IF NOT EXISTS"))
    out = run_dbm("lint", f, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No findings" in out.stdout
    bad = tmp_path / "bad.sql"
    bad.write_text("ALTER TABLE users DROP COLUMN legacy;")
    out = run_dbm("lint", bad, "--assume-in-transaction", cwd=tmp_path)
    assert out.returncode == 1
    assert "bad.sql:1:1: error[ban-drop-column]" in out.stdout


def test_cli_include_exclude_and_unknown_rule(tmp_path, run_dbm):
    f = tmp_path / "m.sql"
    f.write_text(DANGEROUS)
    out = run_dbm(
        "lint",
        f,
        "--format",
        "json",
        "--exclude",
        "require-concurrent-index-creation,prefer-robust-stmts",
        cwd=tmp_path,
    )
    assert out.returncode == 0 and json.loads(out.stdout) == []
    out = run_dbm("lint", f, "--format", "json", "--include", "prefer-robust-stmts", cwd=tmp_path)
    assert {x["rule"] for x in json.loads(out.stdout)} == {"prefer-robust-stmts"}
    out = run_dbm("lint", f, "--exclude", "no-such-rule", cwd=tmp_path)
    assert out.returncode == 2 and "no-such-rule" in out.stderr and "Traceback" not in out.stderr


def test_cli_pg_version_and_transaction_flags(tmp_path, run_dbm):
    f = tmp_path / "m.sql"
    f.write_text("ALTER TABLE users ADD COLUMN active boolean DEFAULT true;\n")
    rules = lambda *a: {x["rule"] for x in json.loads(run_dbm("lint", f, "--format", "json", *a, cwd=tmp_path).stdout)}  # noqa: E731
    assert "adding-field-with-default" in rules("--pg-version", "10")
    assert "adding-field-with-default" not in rules("--pg-version", "11")
    f.write_text("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);\n")
    assert "ban-concurrent-index-creation-in-transaction" in rules("--assume-in-transaction")
    assert "ban-concurrent-index-creation-in-transaction" not in rules()


def test_dialect_comes_from_the_project_environment(tmp_path, run_dbm):
    (tmp_path / "migrations").mkdir()
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite:///{tmp_path / 'app.db'}\n")
    f = tmp_path / "migrations" / "20260101000000_x.sql"
    f.write_text("ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n")
    data = json.loads(run_dbm("lint", f, "--format", "json", cwd=tmp_path).stdout)
    assert [x["rule"] for x in data] == ["sqlite-table-rebuild"]
    data = json.loads(
        run_dbm(
            "lint",
            f,
            "--format",
            "json",
            "--dialect",
            "postgresql",
            "--assume-in-transaction",
            "--session-timeouts",
            cwd=tmp_path,
        ).stdout
    )
    assert [x["rule"] for x in data] == ["adding-not-nullable-field"]


def test_missing_file_is_a_clear_error(tmp_path, run_dbm):
    out = run_dbm("lint", tmp_path / "nope.sql", cwd=tmp_path)
    assert out.returncode == 2 and "does not exist" in out.stderr and "Traceback" not in out.stderr


def test_magic_cell_and_line(ipython, tmp_path):
    result = ipython.run_cell_magic(
        "dbm", "lint --dialect mysql", "ALTER TABLE users ADD COLUMN c INT, ALGORITHM=COPY;\n"
    )
    assert [f.rule for f in result.findings] == ["mysql-algorithm-copy"]
    assert "ALGORITHM=COPY" in result._repr_html_()
    f = tmp_path / "m.sql"
    f.write_text("DROP TABLE old_sessions;\n")
    result = ipython.run_line_magic("dbm", f"lint {f} --dialect sqlite --df lint_df")
    assert result.exit_code() == 1
    frame = ipython.user_ns["lint_df"]
    assert list(frame["rule"]) == ["ban-drop-table"] and list(frame["line"]) == [1]


def test_api_and_library_function():
    res = api.lint(
        sql="ALTER TABLE users RENAME COLUMN a TO b;", dialect="postgresql", in_transaction=True, session_timeouts=True
    )
    assert [f.rule for f in res.findings] == ["renaming-column"]
    findings = lint_sql(
        "ALTER TABLE t ADD COLUMN c int NOT NULL",
        "postgresql",
        pg_version="12.4",
        in_transaction=True,
        session_timeouts=True,
    )
    assert {f.rule for f in findings} == {"adding-required-field", "prefer-bigint-over-int"}
    with pytest.raises(Exception) as exc:
        findings[0].rule = "x"  # frozen
    assert "frozen" in str(exc.value) or "cannot assign" in str(exc.value)


def test_secrets_in_sql_are_masked_in_output(tmp_path, run_dbm):
    f = tmp_path / "m.sql"
    f.write_text(
        "ALTER TABLE users ADD COLUMN dsn text DEFAULT 'postgresql://app:S3cretPw@db/x';\n"
        "ALTER TABLE users DROP COLUMN old;\n"
    )
    out = run_dbm("lint", f, "--format", "json", cwd=tmp_path)
    assert "S3cretPw" not in out.stdout and "ban-drop-column" in out.stdout
