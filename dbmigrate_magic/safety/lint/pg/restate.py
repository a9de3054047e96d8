"""Suggested SQL rebuilt from the statement itself: the linted statement is parsed again into
pglast's node classes, changed (CONCURRENTLY, IF NOT EXISTS, NOT VALID, ...) and printed back, so a
suggestion keeps every identifier exactly as the database knows it (``"Account"`` stays quoted,
``account`` stays plain) and runs as written.

Only called when a rule fires, so the cost of pglast's node classes is paid only then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....dialects.quoting import pg_quote
from ..context import Context


def ident(name: str | None) -> str:
    """One identifier as PostgreSQL's ``quote_ident`` writes it (``userId`` -> ``"userId"``)."""
    return pg_quote(name or "")


def _stmt(ctx: Context) -> Any | None:
    """A fresh pglast node of the current statement (fresh: callers change it)."""
    import pglast

    st = ctx.statement
    if st is None:
        return None
    try:
        stmts = pglast.parse_sql(st.text)
    except Exception:  # the JSON parse succeeded, so this is not expected; fall back to the caller's text
        return None
    return stmts[0].stmt if stmts else None


def deparse(node: Any) -> str:
    from pglast.stream import RawStream

    return RawStream()(node)


def restated(ctx: Context, change: Callable[[Any], Any]) -> str | None:
    """The current statement after ``change(node)`` (which edits in place or returns a new node)."""
    node = _stmt(ctx)
    if node is None:
        return None
    node = change(node) or node
    return deparse(node) + ";"


def alter_cmd(ctx: Context, index: int, change: Callable[[Any], Any] | None = None) -> str | None:
    """``ALTER TABLE <same table> <cmd number index>;`` alone, after ``change(cmd)``."""
    from pglast import ast

    node = _stmt(ctx)
    if not isinstance(node, ast.AlterTableStmt) or not node.cmds or index >= len(node.cmds):
        return None
    cmd = node.cmds[index]
    if change is not None:
        cmd = change(cmd) or cmd
    return deparse(ast.AlterTableStmt(relation=node.relation, cmds=(cmd,), objtype=node.objtype)) + ";"


def add_column_bare(ctx: Context, index: int, if_not_exists: bool = False) -> str | None:
    """The ADD COLUMN of cmd ``index`` with its type only: no default, constraint or NOT NULL."""
    from pglast import ast

    def bare(cmd: Any) -> Any:
        cd = cmd.def_
        return ast.AlterTableCmd(
            subtype=cmd.subtype,
            def_=ast.ColumnDef(colname=cd.colname, typeName=cd.typeName, collClause=cd.collClause),
            missing_ok=if_not_exists or cmd.missing_ok,
            behavior=cmd.behavior,
        )

    return alter_cmd(ctx, index, bare)


def type_of_column(ctx: Context, index: int) -> str | None:
    """The type of the ColumnDef in cmd ``index``, printed with its original quoting."""
    from pglast import ast

    node = _stmt(ctx)
    cmds = node.cmds if isinstance(node, ast.AlterTableStmt) else None
    if not cmds or index >= len(cmds):
        return None
    cd = cmds[index].def_
    return deparse(cd.typeName) if isinstance(cd, ast.ColumnDef) and cd.typeName is not None else None
