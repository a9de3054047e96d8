"""Run the PostgreSQL rules over parsed statements, in file order."""

from __future__ import annotations

from ..context import Context
from ..model import Statement
from . import destructive, duplicates, locks, maintenance, robust, strong, transactions, types  # noqa: F401  (registers the rules)
from .registry import FINISHERS, HANDLERS
from .transactions import check_timeouts


def run(statements: list[Statement], ctx: Context) -> None:
    handlers = HANDLERS
    ctx.flags["statements"] = sum(1 for st in statements if st.node is not None)
    for st in statements:
        if st.node is None:
            continue
        ctx.statement = st
        kind, n = next(iter(st.node.items()))
        check_timeouts(kind, n, ctx)
        for fn in handlers.get(kind, ()):
            fn(n, ctx)
        if kind == "CreateStmt":
            ctx.new_tables.add((n.get("relation") or {}).get("relname", "").lower())
        elif kind == "CreateTableAsStmt":
            rel = (n.get("into") or {}).get("rel") or {}
            ctx.new_tables.add(rel.get("relname", "").lower())
    for fn in FINISHERS:
        fn({}, ctx)
