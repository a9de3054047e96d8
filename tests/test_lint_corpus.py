"""Every case of the lint corpus: the linter reports exactly the expected rules (and lines)."""

from __future__ import annotations

import pytest

from dbmigrate_magic.safety.lint import lint_sql
from tests.lint_corpus.cases import all_cases

CASES = all_cases()


def test_corpus_is_big_enough_and_covers_every_rule():
    from dbmigrate_magic.safety.lint import all_rules

    assert len(CASES) >= 150
    assert {c.dialect for c in CASES} == {"postgresql", "mysql", "sqlite"}
    versions = {c.pg_version for c in CASES if c.dialect == "postgresql"}
    assert len(versions - {None}) >= 4  # several PostgreSQL versions
    expected = set().union(*(c.expect for c in CASES))
    missing = sorted(set(all_rules()) - expected)
    assert not missing, f"rules without a dangerous case in the corpus: {missing}"
    for dialect in ("postgresql", "mysql", "sqlite"):
        assert any(not c.expect for c in CASES if c.dialect == dialect), f"no safe case for {dialect}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_case(case):
    findings = lint_sql(
        case.sql,
        case.dialect,
        pg_version=case.pg_version,
        in_transaction=case.in_transaction,
        session_timeouts=case.session_timeouts,
        file=str(case.path),
        include=case.include,
    )
    got = {f.rule for f in findings}
    assert got == case.expect, "\n".join(f"{f.line}:{f.column} {f.rule}: {f.statement[:80]}" for f in findings)
    for rule, line in case.expect_lines:
        assert any(f.rule == rule and f.line == line for f in findings), (
            f"{rule} expected on line {line}, got {[(f.rule, f.line) for f in findings]}"
        )
    lines = case.sql.splitlines()
    for f in findings:  # every position points at the statement's text in the original file
        assert 1 <= f.line <= len(lines)
        assert f.column >= 1 and f.column <= len(lines[f.line - 1]) + 1
        first = f.statement.splitlines()[0][:20]
        assert first in case.sql
