"""``resolve`` and ``baseline``: change only the tracking table, through the same preview and
confirmation as every other change (they decide what the next ``migrate`` will run)."""

from __future__ import annotations

from pathlib import Path

from ..adapters.base import PlannedStep, StepOutcome
from ..context import resolve_context
from ..errors import UsageProblem
from .migrate import writing_adapter
from .pipeline import finish, make_preview
from .preview import ChangeResult

PathLike = str | Path | None
RESOLVE_STATES = ("applied", "rolled_back")


def resolve(
    name: str,
    state: str,
    path: PathLike = None,
    *,
    env: str | None = None,
    dry_run: bool = False,
    yes: bool = False,
    confirm: str | None = None,
) -> ChangeResult:
    """Mark ``name`` applied or rolled back without running its SQL (after a failure, or a manual fix)."""
    state = state.replace("-", "_")
    if state not in RESOLVE_STATES:
        raise UsageProblem(
            f"resolve needs --applied or --rolled-back, not {state!r}.", next_step="Pass --applied or --rolled-back."
        )
    ctx = resolve_context(path, env)
    adapter = writing_adapter(ctx)
    environment = ctx.require_environment()
    db = ctx.database()
    row = next((r for r in adapter.history(ctx.database(read_only=True)).rows if r.migration == name), None)
    if row is None:
        raise UsageProblem(
            f"There is no migration named {name} on disk or in the tracking table.",
            next_step="Run `dbm status` to see the migrations' names.",
        )
    words = "applied (its SQL is NOT run)" if state == "applied" else "rolled back (its down SQL is NOT run)"
    step = PlannedStep(
        name, row.file, "resolve", f"-- no migration SQL runs: {name} ({row.state}) will be recorded as {words}", True
    )

    def plan():
        return make_preview("resolve", adapter, environment, [step], ctx, db)

    def run():
        summary = adapter.resolve(db, name, state)
        return [StepOutcome(name, "resolve", state, error=None, statements_run=0)] if summary is not None else []

    return finish(
        "resolve",
        plan(),
        dry_run=dry_run,
        yes=yes,
        confirm=confirm,
        run=run,
        replan=plan,
        done_status="resolved",
        ctx=ctx,
        db=db,
    )


def baseline(
    path: PathLike = None,
    *,
    env: str | None = None,
    to: str | None = None,
    dry_run: bool = False,
    yes: bool = False,
    confirm: str | None = None,
) -> ChangeResult:
    """Adopt an existing database: record migrations up to ``to`` (default all) as applied, running nothing."""
    ctx = resolve_context(path, env)
    adapter = writing_adapter(ctx)
    environment = ctx.require_environment()
    db = ctx.database()
    look = ctx.database(read_only=True)

    def plan():
        pending = adapter.plan_apply(look, to)
        steps = [
            PlannedStep(
                s.migration,
                s.file,
                "baseline",
                "-- recorded as applied without running (the database already has it)",
                True,
            )
            for s in pending
        ]
        return make_preview("baseline", adapter, environment, steps, ctx, db)

    preview = plan()
    if not preview.steps:
        return ChangeResult("baseline", "up to date", preview, (), "Nothing to baseline: no pending migrations.")

    def run():
        adapter.baseline(db, to)
        return [StepOutcome(s.migration, "baseline", "applied", statements_run=0) for s in preview.steps]

    return finish(
        "baseline",
        preview,
        dry_run=dry_run,
        yes=yes,
        confirm=confirm,
        run=run,
        replan=plan,
        done_status="baselined",
        ctx=ctx,
        db=db,
    )
