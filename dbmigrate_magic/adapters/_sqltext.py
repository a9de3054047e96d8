"""Splitting a SQL script into statements without rewriting them.

The Node tools run one statement per driver call (better-sqlite3 refuses several at once), so
the SQL of a notebook cell is split here; sqlglot's tokenizer finds the real semicolons (not
those inside strings, comments or dollar-quoted bodies) and each statement keeps its own text.
"""
from __future__ import annotations

SQLGLOT_DIALECTS = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}


def split_statements(sql: str, dialect: str | None = None) -> list[str]:
    """Statements of ``sql`` in order, trimmed, without their final semicolon."""
    from sqlglot.tokens import TokenType
    from sqlglot.dialects.dialect import Dialect

    if not sql.strip():
        return []
    tokenizer = Dialect.get_or_raise(SQLGLOT_DIALECTS.get(dialect or "", dialect or "")).tokenizer_class()
    try:
        tokens = tokenizer.tokenize(sql)
    except Exception:  # a tokenizer error: keep the script whole and let the database judge it
        return [sql.strip().rstrip(";").strip()]
    statements: list[str] = []
    start = 0
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            piece = sql[start:tok.start].strip()
            if _has_code(piece):
                statements.append(piece)
            start = tok.end + 1
    tail = sql[start:].strip()
    if _has_code(tail):
        statements.append(tail)
    return statements


def _has_code(piece: str) -> bool:
    """False for empty pieces and pieces made only of comments."""
    lines = [ln.strip() for ln in piece.splitlines()]
    return any(ln and not ln.startswith("--") for ln in lines)
