"""Normalising stored SQL text for comparison with sqlglot's tokenizer (not regexes): keywords and
identifiers compare case-insensitively and unquoted, whitespace and comments are ignored."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def normalise(sql: str | None, dialect: str = "sqlite") -> str:
    if not sql:
        return ""
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.tokens import TokenType

    tokenizer = Dialect.get_or_raise(dialect).tokenizer()
    try:
        tokens = tokenizer.tokenize(sql)
    except Exception:  # text sqlglot cannot tokenise: compare it verbatim, whitespace collapsed
        return " ".join(sql.split())
    out = []
    for t in tokens:
        if t.token_type == TokenType.STRING:
            out.append("'" + t.text.replace("'", "''") + "'")
        elif t.token_type == TokenType.SEMICOLON:
            continue
        else:
            out.append(t.text.lower())
    return " ".join(out)
