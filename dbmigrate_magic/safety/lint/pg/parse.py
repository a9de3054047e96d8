"""Split and parse PostgreSQL with libpg_query (through pglast), the parser PostgreSQL itself uses.

The whole input is parsed in one call (fast path). If any statement is invalid, the input is split
by libpg_query's scanner and each piece parsed alone, so every valid statement is still linted and
each invalid one becomes an ``unparseable-statement`` finding.
"""

from __future__ import annotations

import json

from ..model import Statement
from ..text import skip_trivia


def _char_offsets(text: str):
    """Map libpg_query byte offsets to character offsets (identity for ASCII input)."""
    if text.isascii():
        return lambda b: b
    encoded = text.encode("utf-8")
    cache: dict[int, int] = {}

    def convert(b: int) -> int:
        if b not in cache:
            cache[b] = len(encoded[:b].decode("utf-8", errors="ignore"))
        return cache[b]

    return convert


def _statements_from_tree(text: str, tree: dict, base: int, to_char) -> list[Statement]:
    out = []

    def loc(b: int) -> int:  # node locations are byte offsets into ``text``; this maps them to the input
        return base + to_char(b)

    for raw in tree.get("stmts", ()):
        b0 = raw.get("stmt_location", 0)
        blen = raw.get("stmt_len")
        c0 = to_char(b0)
        c1 = to_char(b0 + blen) if blen else len(text)
        start = skip_trivia(text, c0, c1)
        body = text[start:c1].rstrip()
        st = Statement(body, base + start, raw["stmt"])
        st.extra["loc"] = loc  # one mapper per parsed text, shared by its statements
        out.append(st)
    return out


def parse(sql: str) -> list[Statement]:
    """Statements of ``sql``; ``st.extra["loc"]`` maps a node's byte ``location`` to an input offset."""
    from .pglast_parser import parser as load_parser

    parser = load_parser()
    to_char = _char_offsets(sql)
    try:
        tree = json.loads(parser.parse_sql_json(sql))
        return _statements_from_tree(sql, tree, 0, to_char)
    except parser.ParseError:
        pass
    statements: list[Statement] = []
    for lo, hi in _pieces(parser, sql):
        chunk = sql[lo:hi]
        start = skip_trivia(sql, lo, hi)
        if start >= hi:
            continue
        try:
            tree = json.loads(parser.parse_sql_json(chunk))
        except parser.ParseError as exc:
            body = sql[start:hi].rstrip().rstrip(";").rstrip()
            statements.append(Statement(body, start, None, error=str(exc.args[0])))
            continue
        statements.extend(_statements_from_tree(chunk, tree, lo, _char_offsets(chunk)))
    return statements


def _pieces(parser, sql: str) -> list[tuple[int, int]]:
    """Character spans between top-level semicolons, found with libpg_query's own scanner (which
    knows strings, dollar quotes and comments)."""
    spans, lo, depth = [], 0, 0
    for tok in parser.scan(sql):
        if tok.name == "ASCII_40":
            depth += 1
        elif tok.name == "ASCII_41":
            depth = max(0, depth - 1)
        elif tok.name == "ASCII_59" and depth == 0:
            spans.append((lo, tok.start + 1))
            lo = tok.start + 1
    if lo < len(sql):
        spans.append((lo, len(sql)))
    return spans
