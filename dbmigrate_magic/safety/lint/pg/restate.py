"""Suggested SQL rebuilt from the statement's syntax tree, for shapes ``splice`` does not edit as
text: the linted statement is parsed again into pglast's node classes (once per statement, shared by
its suggestions), changed (CONCURRENTLY, IF NOT EXISTS, NOT VALID, ...), printed back and changed
back, so a suggestion keeps every identifier exactly as the database knows it (``"Account"`` stays
quoted, ``account`` stays plain) and runs as written.

A fallback: building pglast's node classes and printing them costs about 1 ms per suggestion.
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
    """The pglast node of the current statement, parsed once and shared by every suggestion on it
    (building pglast's node classes is most of a suggestion's cost). Callers must leave it as they
    found it: ``restated`` and ``alter_cmd`` undo their ``change`` after printing."""
    st = ctx.statement
    if st is None:
        return None
    if "pglast_node" not in st.extra:
        import pglast

        try:
            stmts = pglast.parse_sql(st.text)
        except Exception:  # the JSON parse succeeded, so this is not expected; fall back to the caller's text
            stmts = ()
        st.extra["pglast_node"] = stmts[0].stmt if stmts else None
    return st.extra["pglast_node"]


def _changed(node: Any, change: Callable[[Any], Any], show: Callable[[Any], str]) -> str:
    """``show(change(node) or node)``, then ``node`` put back as it was. A change may set attributes
    of the node it is given and of that node's direct child nodes (IF NOT EXISTS, NOT VALID, ...), or
    return a new node."""
    from pglast import ast

    touched = [node, *(v for m in node if isinstance(v := getattr(node, m), ast.Node))]
    before = [(n, [(m, getattr(n, m)) for m in n]) for n in touched]
    try:
        return show(change(node) or node)
    finally:
        for n, values in before:
            for m, v in values:
                if getattr(n, m) is not v:
                    object.__setattr__(n, m, v)  # the original value, already validated by pglast


def deparse(node: Any) -> str:
    """``RawStream()(node)`` for one node, with the ancestors filled in by :func:`_populate_ancestors`."""
    from pglast.stream import RawStream

    _populate_ancestors(node)
    stream = RawStream()
    stream.print_node(node)
    return stream.getvalue()


def _populate_ancestors(node: Any) -> None:
    """What ``pglast.visitors.populate_ancestors`` does (the printers read each node's ``ancestors``),
    driving pglast's own breadth-first ``Visitor.iterate`` directly: pglast's version defines a
    visitor class and lists its methods on every call, which was a third of each suggestion's cost."""
    from pglast.visitors import Continue, Visitor

    walk = Visitor().iterate((node,))
    try:
        ancestors, sub = walk.send(None)
        while True:
            object.__setattr__(sub, "ancestors", ancestors)  # a plain slot: pglast's checks skip it anyway
            ancestors, sub = walk.send(Continue)
    except StopIteration:
        return


def restated(ctx: Context, change: Callable[[Any], Any]) -> str | None:
    """The current statement after ``change(node)`` (which edits in place or returns a new node)."""
    node = _stmt(ctx)
    if node is None:
        return None
    return _changed(node, change, deparse) + ";"


def alter_cmd(ctx: Context, index: int, change: Callable[[Any], Any] | None = None) -> str | None:
    """``ALTER TABLE <same table> <cmd number index>;`` alone, after ``change(cmd)``."""
    from pglast import ast

    node = _stmt(ctx)
    if not isinstance(node, ast.AlterTableStmt) or not node.cmds or index >= len(node.cmds):
        return None

    def show(cmd: Any) -> str:
        return deparse(ast.AlterTableStmt(relation=node.relation, cmds=(cmd,), objtype=node.objtype)) + ";"

    cmd = node.cmds[index]
    return show(cmd) if change is None else _changed(cmd, change, show)


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
