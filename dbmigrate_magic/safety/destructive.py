"""Which SQL statements destroy data: found with real parsers (pglast for PostgreSQL, sqlglot
for MySQL/MariaDB and SQLite), never with regular expressions.

Destructive means: DROP TABLE / COLUMN / SCHEMA / DATABASE, TRUNCATE, and DELETE or UPDATE
without a WHERE clause. A statement the parser cannot read is reported as ``unparsed`` when
it starts with a keyword that could destroy data, so the guard fails closed.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from ..dialects import dialect_for, find_dialect
from . import review_cache

KINDS = (
    "drop_table",
    "drop_column",
    "drop_schema",
    "drop_database",
    "truncate",
    "delete_without_where",
    "update_without_where",
    "unparsed",
)
#: one destructive statement found: (kind, targets, statement text, 1-based line)
Classified = tuple[str, tuple[str, ...], str, int]

DESCRIPTIONS = {
    "drop_table": "drops a table and all its rows",
    "drop_column": "drops a column and its data",
    "drop_schema": "drops a schema and everything in it",
    "drop_database": "drops a whole database",
    "truncate": "removes every row of a table",
    "delete_without_where": "deletes every row (DELETE without WHERE)",
    "update_without_where": "rewrites every row (UPDATE without WHERE)",
    "unparsed": "could not be parsed, so it is treated as destructive",
}
#: first keywords of an unreadable statement that may destroy data
_RISKY_KEYWORDS = {"DROP", "TRUNCATE", "DELETE", "UPDATE", "ALTER", "REPLACE"}
#: first words of the only statements ``_sqlglot_node`` can find destructive (WITH: a CTE before a
#: DELETE or UPDATE); a preview of a thousand CREATE TABLEs parses none of them twice
_MAY_DESTROY = frozenset(_RISKY_KEYWORDS | {"WITH"})
#: a text in which none of those is a word holds no statement that begins with one: not even tokenized
_MAY_DESTROY_WORD = re.compile(r"\b(?:" + "|".join(sorted(_MAY_DESTROY)) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Destructive:
    """One destructive statement in a migration step."""

    kind: str
    targets: tuple[str, ...]  # tables, "table.column", schema or database names
    statement: str
    line: int  # 1-based line of the statement in the step's SQL
    step: str | None = None

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.kind]

    def as_row(self) -> dict:
        return {
            "step": self.step,
            "line": self.line,
            "kind": self.kind,
            "targets": ", ".join(self.targets),
            "statement": _short(self.statement),
            "why": self.description,
        }


def _short(statement: str, limit: int = 160) -> str:
    one_line = " ".join(statement.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 3] + "..."


def _line_of(sql: str, offset: int) -> int:
    return sql.count("\n", 0, max(offset, 0)) + 1


def classify(sql: str, dialect: str, step: str | None = None) -> list[Destructive]:
    """Every destructive statement in ``sql`` (one migration's text) for ``dialect``."""
    if not sql or not sql.strip():
        return []
    cache = review_cache.current()  # texts an earlier review of this project found clean
    key = review_cache.digest("guard", dialect, sql) if cache is not None else ""
    if cache is not None and cache.is_clean(key):
        return []
    found = _classified(sql, dialect)
    if not found and cache is not None:
        cache.mark_clean(key)
    return [Destructive(k, t, s, line, step) for k, t, s, line in found]


@functools.lru_cache(maxsize=4096)
def _classified(sql: str, dialect: str) -> tuple:
    """Parsed once per text: the preview's review and the last check before running ask twice."""
    kind = find_dialect(dialect) or dialect_for("sqlite")  # another dialect is read as SQLite
    if kind.parser == "pglast":
        return tuple(_classify_postgres(sql))
    return tuple(_classify_sqlglot(sql, kind.sqlglot_name))


# --- PostgreSQL: pglast -------------------------------------------------------------------
def _classify_postgres(sql: str) -> list[Classified]:
    import pglast
    from pglast.parser import ParseError

    try:
        raws = pglast.parse_sql(sql)
    except ParseError:
        return _postgres_one_by_one(sql)
    out: list[Classified] = []
    for raw in raws:
        # pglast reports offsets in characters; a statement's text may start with comments
        start = raw.stmt_location or 0
        chunk = sql[start : start + raw.stmt_len] if raw.stmt_len else sql[start:]
        text = chunk.strip()
        line = _line_of(sql, start + len(chunk) - len(chunk.lstrip()))
        for kind, targets in _postgres_node(raw.stmt):
            out.append((kind, targets, text, line))
    return out


def _postgres_one_by_one(sql: str) -> list[Classified]:
    """The text does not parse as a whole: split with the scanner and parse each statement."""
    import pglast
    from pglast.parser import ParseError

    out: list[Classified] = []
    try:
        pieces = list(pglast.split(sql, with_parser=False))
    except Exception:  # the scanner itself failed (unterminated quote ...)
        return [("unparsed", (), sql.strip(), 1)]
    position = 0
    for piece in pieces:
        offset = sql.find(piece, position)
        position = offset + len(piece) if offset >= 0 else position
        line = _line_of(sql, offset)
        try:
            raws = pglast.parse_sql(piece)
        except ParseError:
            if _risky_first_word(piece):
                out.append(("unparsed", (), piece.strip(), line))
            continue
        for raw in raws:
            for kind, targets in _postgres_node(raw.stmt):
                out.append((kind, targets, piece.strip(), line))
    return out


def _risky_first_word(statement: str) -> bool:
    words = statement.split()
    return bool(words) and words[0].upper().strip("(") in _RISKY_KEYWORDS


def _names(objects) -> tuple[str, ...]:
    names = []
    for obj in objects or ():
        parts = obj if isinstance(obj, (tuple, list)) else (obj,)
        names.append(".".join(getattr(p, "sval", str(p)) for p in parts))
    return tuple(names)


def _relname(rangevar) -> str:
    if rangevar is None:
        return "?"
    return ".".join(p for p in (rangevar.schemaname, rangevar.relname) if p)


def _postgres_node(node) -> list[tuple[str, tuple[str, ...]]]:
    from pglast import ast
    from pglast.enums import AlterTableType, ObjectType

    if isinstance(node, ast.DropStmt):
        if node.removeType == ObjectType.OBJECT_TABLE:
            return [("drop_table", _names(node.objects))]
        if node.removeType == ObjectType.OBJECT_SCHEMA:
            return [("drop_schema", _names(node.objects))]
        return []
    if isinstance(node, ast.DropdbStmt):
        return [("drop_database", (node.dbname or "?",))]
    if isinstance(node, ast.TruncateStmt):
        return [("truncate", tuple(_relname(r) for r in node.relations or ()))]
    if isinstance(node, ast.DeleteStmt) and node.whereClause is None:
        return [("delete_without_where", (_relname(node.relation),))]
    if isinstance(node, ast.UpdateStmt) and node.whereClause is None:
        return [("update_without_where", (_relname(node.relation),))]
    if isinstance(node, ast.AlterTableStmt):
        table = _relname(node.relation)
        dropped = tuple(f"{table}.{c.name}" for c in node.cmds or () if c.subtype == AlterTableType.AT_DropColumn)
        return [("drop_column", dropped)] if dropped else []
    return []


# --- MySQL/MariaDB and SQLite: sqlglot --------------------------------------------------
def _split_sqlglot(sql: str, read: str) -> list[tuple[str, int, str]]:
    """Statements, their 1-based lines and first words, split on the tokenizer's semicolons."""
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.tokens import TokenType

    tokens = Dialect.get_or_raise(read).tokenize(sql)
    pieces: list[tuple[str, int, str]] = []
    start: int | None = None
    line, first = 1, ""
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if start is not None:
                pieces.append((sql[start : token.start], line, first))
            start = None
            continue
        if start is None:
            start, line, first = token.start, token.line, token.text.upper()
    if start is not None:
        pieces.append((sql[start:], line, first))
    return [(p.strip(), ln, w) for p, ln, w in pieces if p.strip()]


def _classify_sqlglot(sql: str, read: str) -> list[Classified]:
    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    if not _MAY_DESTROY_WORD.search(sql):
        return []
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)  # sqlglot warns when it falls back to a raw Command
    try:
        try:
            pieces = _split_sqlglot(sql, read)
        except TokenError:
            return [("unparsed", (), sql.strip(), 1)]
        out: list[Classified] = []
        for piece, line, first in pieces:
            if first not in _MAY_DESTROY:  # only these statements' trees are ever destructive: not parsed
                continue
            try:
                trees = [t for t in sqlglot.parse(piece, read=read) if t is not None]
            except (ParseError, TokenError):
                if _risky_first_word(piece):
                    out.append(("unparsed", (), piece, line))
                continue
            for tree in trees:
                for kind, targets in _sqlglot_node(tree):
                    out.append((kind, targets, piece, line))
        return out
    finally:
        logger.setLevel(level)


def _table_name(table) -> str:
    from sqlglot import exp

    if isinstance(table, exp.Table):
        return ".".join(p for p in (table.db, table.name) if p) or table.sql()
    return table.sql() if hasattr(table, "sql") else str(table)


def _sqlglot_node(tree) -> list[tuple[str, tuple[str, ...]]]:
    from sqlglot import exp

    if isinstance(tree, exp.Drop):
        kind = (tree.args.get("kind") or "").upper()
        if tree.args.get("temporary"):
            return []
        tables = tree.args.get("tables") or ([tree.this] if tree.this is not None else [])
        if kind == "TABLE":
            return [("drop_table", tuple(_table_name(t) for t in tables))]
        if kind in ("SCHEMA", "DATABASE"):
            names = tuple((t.db or t.name) if isinstance(t, exp.Table) else t.sql() for t in tables)
            return [("drop_database" if kind == "DATABASE" else "drop_schema", names)]
        return []
    if isinstance(tree, exp.TruncateTable):
        return [("truncate", tuple(_table_name(t) for t in tree.expressions))]
    if isinstance(tree, exp.Delete) and tree.args.get("where") is None:
        return [("delete_without_where", (_table_name(tree.this),))]
    if isinstance(tree, exp.Update) and tree.args.get("where") is None:
        return [("update_without_where", (_table_name(tree.this),))]
    if isinstance(tree, exp.Alter):
        table = _table_name(tree.this)
        dropped = []
        for action in tree.args.get("actions") or ():
            if isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() in ("", "COLUMN"):
                for col in action.args.get("tables") or ([action.this] if action.this is not None else []):
                    dropped.append(f"{table}.{col.name if hasattr(col, 'name') and col.name else col.sql()}")
            elif isinstance(action, exp.Command) and str(action.this).upper() == "DROP":
                # sqlglot's SQLite reader keeps ``DROP c`` (COLUMN omitted) as a raw command
                name = str(action.expression or "").split()
                if name and name[0].upper() not in ("CONSTRAINT", "INDEX", "KEY", "PRIMARY", "FOREIGN", "CHECK"):
                    dropped.append(f"{table}.{name[-1] if name[0].upper() == 'COLUMN' else name[0]}")
        return [("drop_column", tuple(dropped))] if dropped else []
    if isinstance(tree, exp.Command) and str(tree.this).upper() in _RISKY_KEYWORDS:
        return [("unparsed", ())]
    return []
