"""Split a migration's SQL into statements, each with the line it starts on, using real parsers.

- PostgreSQL: pglast (the server's own parser; handles dollar quoting and ``BEGIN ATOMIC`` bodies);
  SQL it cannot parse is split with pglast's scanner so the server reports the real error.
- SQLite: SQLite's own ``sqlite3_complete()`` decides where a statement ends (triggers' BEGIN ... END).
- MySQL/MariaDB: sqlglot's MySQL tokenizer, keeping ``BEGIN ... END`` / ``CASE ... END`` bodies of
  routines and triggers whole, so no ``DELIMITER`` is needed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Statement:
    sql: str
    line: int  # 1-based line where the statement starts, counted in the text given
    offset: int = 0  # character offset of its first token in the text given


def split(sql: str, dialect: str, first_line: int = 1) -> list[Statement]:
    """Statements of ``sql`` for ``dialect`` (postgresql, mysql, sqlite), without trailing semicolons."""
    if dialect == "postgresql":
        spans = _pg_spans(sql)
    elif dialect == "sqlite":
        spans = _sqlite_spans(sql)
    else:
        spans = _mysql_spans(sql)
    out = []
    for start, end in spans:
        text = sql[start:end].strip()
        if text.endswith(";"):
            text = text[:-1].rstrip()
        if not _has_code(text):
            continue
        offset = start + _code_offset(sql[start:end])
        out.append(Statement(text, first_line + sql.count("\n", 0, offset), offset))
    return out


def _has_code(text: str) -> bool:
    return bool(text) and _code_offset(text) < len(text)


def _code_offset(text: str) -> int:
    """Offset of the first character that is not whitespace or a leading ``--``/``/* */`` comment."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("--", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
        else:
            break
    return i


# --- PostgreSQL ------------------------------------------------------------------------------
def _pg_spans(sql: str) -> list[tuple[int, int]]:
    from pglast import parser

    try:
        return [(s.start, s.stop) for s in parser.split(sql, only_slices=True)]
    except Exception:  # not valid SQL: let the scanner find the boundaries, the server names the error
        pass
    spans, start = [], 0
    try:
        tokens = parser.scan(sql)
    except Exception:
        return [(0, len(sql))]
    for tok in tokens:
        if tok.name == "ASCII_59":
            spans.append((start, tok.start))
            start = tok.end + 1
    spans.append((start, len(sql)))
    return spans


# --- SQLite -------------------------------------------------------------------------------------
def _sqlite_spans(sql: str) -> list[tuple[int, int]]:
    import sqlite3

    spans, start, pos = [], 0, sql.find(";")
    while pos >= 0:
        if sqlite3.complete_statement(sql[start : pos + 1]):
            spans.append((start, pos + 1))
            start = pos + 1
        pos = sql.find(";", pos + 1)
    spans.append((start, len(sql)))
    return spans


# --- MySQL / MariaDB ------------------------------------------------------------------------
_BLOCK_ENDS_IGNORED = {"IF", "LOOP", "WHILE", "REPEAT"}


def _mysql_spans(sql: str) -> list[tuple[int, int]]:
    import sqlglot
    from sqlglot.tokens import TokenType

    try:
        tokens = sqlglot.Dialect.get_or_raise("mysql").tokenize(sql)
    except Exception:
        return [(0, len(sql))]
    spans, start, depth, first = [], 0, 0, True
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.token_type == TokenType.SEMICOLON:
            if depth == 0:
                spans.append((start, tok.start + 1))
                start, first = tok.end + 1, True
            continue
        # sqlglot tokenizes START (of START TRANSACTION, and CREATE SEQUENCE ... START WITH) as BEGIN too
        if tok.token_type == TokenType.BEGIN and tok.text.upper() == "BEGIN" and (depth > 0 or not first):
            depth += 1  # a routine/trigger body, not BEGIN (a transaction) as a statement of its own
        elif tok.token_type == TokenType.CASE:
            depth += 1
        elif tok.token_type == TokenType.END and depth > 0:
            if not (nxt is not None and nxt.text.upper() in _BLOCK_ENDS_IGNORED and nxt.line == tok.line):
                depth -= 1
        first = False
    spans.append((start, len(sql)))
    return spans
