"""``drift``: the live database against what its migrations produce on a scratch database."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, fields
from pathlib import Path
from typing import ClassVar

from ..context import resolve_context
from ..schema.introspect import Scope
from .diff import DiffResult, make_result
from .schema_sources import MIGRATIONS, applied_and_not, listed, load_models, tracking_tables


@dataclass(frozen=True, repr=False)
class DriftResult(DiffResult):
    """A diff from the migrations' schema to the live one: its SQL is the migration that would bring
    the files in line with the database. Empty when in sync."""

    title: ClassVar[str] = "dbm drift"
    attention: ClassVar[str | None] = "the database drifted"

    def summary_line(self) -> str:
        if self.is_empty:
            return f"No drift: {self.target} matches what its migrations produce."
        return "Drift: " + super().summary_line() + " (SQL below = the migration that would record it)"


def drift(project: str | Path | None = None, env: str | None = None, *, unsafe: bool = True) -> DriftResult:
    from ..schema import diff as schema_diff

    ctx = resolve_context(project, env)
    live = ctx.require_environment()
    root = ctx.project.root
    # what the database did not run is not drift: replay exactly the migrations its tracking table
    # says it ran, in the tool's order, and name the rest (skipped out-of-order ones and pending ones)
    applied, skipped, pending = applied_and_not(ctx)
    notes: tuple[str, ...] = ()
    if skipped:
        notes += (
            f"{len(skipped)} migration(s) ordered before applied ones were never applied to {live.name} "
            f"({listed(skipped)}); they are left out of the comparison (not replayed). `dbm status` shows "
            "them; `dbm migrate` applies them.",
        )
    if pending:
        notes += (
            f"{len(pending)} migration(s) not applied to {live.name} are left out of the comparison "
            f"({listed(pending)}); `dbm migrate` applies them.",
        )
    upto, before = None, None
    if skipped or pending:
        upto, before = (applied[-1], None) if applied else (None, (skipped + pending)[0])
    only = frozenset(applied) if skipped else None
    with ExitStack() as stack:
        sides, models = load_models(
            [MIGRATIONS, live.url or ""],
            root,
            Scope(),
            live.dialect,
            stack,
            ignore_tables=tracking_tables(root),
            upto=upto,
            before=before,
            missing_ok=True,
            only=only,
        )
    sides[1].label = f"{live.name} ({live.masked_url})"
    d = schema_diff(models[0], models[1])
    r = make_result(sides, models, d, unsafe)
    return DriftResult(**{f.name: getattr(r, f.name) for f in fields(r) if f.name != "notes"}, notes=notes)
