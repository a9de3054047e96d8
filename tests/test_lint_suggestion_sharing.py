"""Suggestions on one statement share its parse: one suggestion's change never leaks into another's."""

from __future__ import annotations

from dbmigrate_magic.safety.lint import lint_sql


def _help(findings, rule: str) -> str:
    return next(f.help for f in findings if f.rule == rule)


def test_not_valid_and_robust_suggestions_on_one_constraint_stay_apart() -> None:
    sql = 'ALTER TABLE "Orders" ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id);'
    for _ in range(2):  # in either order of the two suggestions, and again on the same text
        found = lint_sql(sql, "postgresql", 14)
        robust, fk = _help(found, "prefer-robust-stmts"), _help(found, "adding-foreign-key-constraint")
        assert "NOT VALID" in fk
        assert "NOT VALID" not in robust
        assert 'ALTER TABLE "Orders" ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id);' in robust


def test_if_not_exists_and_bare_column_suggestions_stay_apart() -> None:
    found = lint_sql("ALTER TABLE users ADD COLUMN score integer DEFAULT 0 NOT NULL;", "postgresql", 10)
    robust = _help(found, "prefer-robust-stmts")
    others = [f.help for f in found if f.rule != "prefer-robust-stmts"]
    assert "ADD COLUMN IF NOT EXISTS score" in robust
    assert others and all("IF NOT EXISTS" not in h for h in others)
