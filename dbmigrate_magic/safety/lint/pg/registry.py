"""Handlers by statement kind: ``@on("AlterTableStmt")`` registers a rule function for PostgreSQL."""

from __future__ import annotations

from ..context import Context, Handler

HANDLERS: dict[str, list[Handler]] = {}
#: called once after the last statement (rules about the file as a whole)
FINISHERS: list[Handler] = []


def on(*kinds: str):
    def deco(fn: Handler) -> Handler:
        for k in kinds:
            HANDLERS.setdefault(k, []).append(fn)
        return fn

    return deco


def at(ctx: Context, node: dict | None) -> int | None:
    """Input offset of a node's ``location`` (None when the node has none)."""
    if not node:
        return None
    loc = node.get("location")
    if isinstance(loc, int) and loc >= 0:
        return ctx.current.extra["loc"](loc)
    return None
