"""Split and parse MySQL/MariaDB and SQLite with sqlglot.

The dialect's own tokenizer splits statements (it knows quotes, backticks and ``#`` comments) and
keeps exact offsets; each statement is then parsed alone, so one bad statement does not hide the
others. Statements sqlglot only knows as an opaque ``Command`` keep their tokens for the rules.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .model import Statement

if TYPE_CHECKING:
    from sqlglot.tokens import Token


def parse(sql: str, dialect: str) -> list[Statement]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError
    from sqlglot.tokens import TokenType

    d = sqlglot.Dialect.get_or_raise(dialect)
    try:
        tokens = d.tokenize(sql)
    except TokenError as exc:
        body = sql.strip()
        return [Statement(body, sql.find(body[:1]) if body else 0, None, error=str(exc))]
    groups: list[list[Token]] = []
    current: list[Token] = []
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            if current:
                groups.append(current)
            current = []
        else:
            current.append(tok)
    if current:
        groups.append(current)
    log = logging.getLogger("sqlglot")
    level = log.level
    log.setLevel(logging.ERROR)  # "falling back to parsing as a Command" is reported by the rules instead
    out = []
    parser = d.parser()  # each parse() starts afresh (it resets the parser): one per text is enough
    try:
        for group in groups:
            start, end = group[0].start, group[-1].end + 1
            text = sql[start:end]
            try:
                node = _one(parser.parse(group, sql))  # the tokens already made: not tokenized again
                st = Statement(text, start, node)
                if isinstance(node, exp.Command):
                    st.extra["command"] = True
            except (ParseError, TokenError) as exc:
                msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                st = Statement(text, start, None, error=msg)
            st.extra["tokens"] = group
            out.append(st)
    finally:
        log.setLevel(level)
    return out


def _one(trees: list) -> Any:
    """The tree of a statement's tokens, by ``sqlglot.parse_one``'s rule."""
    from sqlglot import exp
    from sqlglot.errors import ParseError

    if not trees or trees[0] is None:
        raise ParseError("No expression was parsed")
    return exp.Block(expressions=trees) if len(trees) > 1 else trees[0]


def words(st: Statement) -> list[str]:
    """Upper-cased token texts of a statement (for statements sqlglot keeps as a Command)."""
    return [w.upper() if not quoted else w for w, quoted in _words(st)]


def source_words(st: Statement, dialect: str) -> list[str]:
    """The same words as ``words`` in their original spelling, a quoted identifier quoted again in
    ``dialect`` (`` `Account` ``): for suggested SQL that must name the same objects."""
    from sqlglot import exp

    return [exp.to_identifier(w, quoted=True).sql(dialect=dialect) if quoted else w for w, quoted in _words(st)]


def _words(st: Statement) -> list[tuple[str, bool]]:
    from sqlglot.tokens import TokenType

    out: list[tuple[str, bool]] = []
    for t in st.extra.get("tokens", ()):
        if t.token_type == TokenType.IDENTIFIER:  # a quoted name stays one word, case kept
            out.append((t.text, True))
        else:  # the tokenizer keeps the tail of some commands (RENAME TABLE a TO b) as one token: split it
            out.extend((w, False) for w in t.text.split())
    return out


def option(ws: list[str], name: str) -> str | None:
    """Value of ``NAME = VALUE`` (or ``NAME VALUE``) in a token list, e.g. ALGORITHM=COPY."""
    for i, w in enumerate(ws):
        if w == name and i + 1 < len(ws):
            j = i + 2 if ws[i + 1] == "=" else i + 1
            if j < len(ws):
                return ws[j]
    return None
