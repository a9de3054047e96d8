"""``drift``: the live database against what its migrations produce on a scratch database."""
from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, fields
from pathlib import Path
from typing import ClassVar

from ..schema.introspect import Scope
from . import context
from .diff import DiffResult, make_result
from .schema_sources import MIGRATIONS, load_models, tracking_tables, unapplied


@dataclass(frozen=True, repr=False)
class DriftResult(DiffResult):
    """A diff from the migrations' schema to the live one: its SQL is the migration that would bring
    the files in line with the database. Empty when in sync."""

    title: ClassVar[str] = "dbm drift"

    def summary_line(self) -> str:
        if self.is_empty:
            return f"No drift: {self.target} matches what its migrations produce."
        return "Drift: " + super().summary_line() + " (SQL below = the migration that would record it)"


def drift(project: str | Path | None = None, env: str | None = None, *, unsafe: bool = True) -> DriftResult:
    from ..schema import diff as schema_diff

    ctx = context.resolve(project, env)
    live = ctx.require_environment()
    root = ctx.project.root
    # pending migrations are not drift: replay only what the database's tracking table says it ran
    pending, last_applied = unapplied(ctx)
    upto, before, notes = None, None, ()
    if pending:
        upto, before = (last_applied, None) if last_applied else (None, pending[0])
        notes = (f"{len(pending)} migration(s) not applied to {live.name} are left out of the comparison "
                 f"({', '.join(pending[:3])}{', ...' if len(pending) > 3 else ''}); `dbm migrate` applies them.",)
    with ExitStack() as stack:
        sides, models = load_models([MIGRATIONS, live.url or ""], root, Scope(), live.dialect, stack,
                                    ignore_tables=tracking_tables(root), upto=upto, before=before,
                                    missing_ok=True)
    sides[1].label = f"{live.name} ({live.masked_url})"
    d = schema_diff(models[0], models[1])
    r = make_result(sides, models, d, unsafe)
    return DriftResult(**{f.name: getattr(r, f.name) for f in fields(r) if f.name != "notes"}, notes=notes)
