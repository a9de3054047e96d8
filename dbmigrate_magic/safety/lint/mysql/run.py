"""Run the MySQL/MariaDB rules over parsed statements, in file order."""

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
        rules.mixed(node, st, ctx)
        if isinstance(node, exp.Command):
            rules.command(st, ctx)
        elif isinstance(node, exp.Alter):
            rules.alter(node, st, ctx)
        elif isinstance(node, exp.Create):
            rules.create(node, st, ctx)
        elif isinstance(node, exp.Drop):
            rules.drop(node, st, ctx)
        elif isinstance(node, exp.Set):
            rules.set_stmt(node, ctx)
