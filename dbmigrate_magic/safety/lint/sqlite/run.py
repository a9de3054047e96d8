"""Run the SQLite rules over parsed statements, in file order."""

from __future__ import annotations

from sqlglot import exp

from ..context import Context
from ..model import Statement
from . import rules


def run(statements: list[Statement], ctx: Context) -> None:
    for st in statements:
        node = st.node
        if node is None:
            continue
        ctx.statement = st
        if isinstance(node, exp.Command):
            rules.command(st, ctx)
        elif isinstance(node, exp.Alter):
            rules.alter(node, st, ctx)
        elif isinstance(node, exp.Create):
            if (node.args.get("kind") or "").upper() == "TABLE":
                t = node.this.this if isinstance(node.this, exp.Schema) else node.this
                ctx.new_tables.add(t.name.lower() if t is not None else "")
        elif isinstance(node, exp.Drop):
            rules.drop(node, st, ctx)
        elif isinstance(node, exp.Pragma):
            rules.pragma(node, st, ctx)
        elif isinstance(node, (exp.Transaction, exp.Commit, exp.Rollback)):
            rules.transaction(node, st, ctx)
    rules.finish(ctx)
