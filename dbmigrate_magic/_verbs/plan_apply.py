"""``plan --apply``: every step of a plan in order, in one go (backfills included), for where no
application deploy is needed between steps (development, staging, a table no code uses yet).

Previewed and confirmed like every change (production: the typed name, a backup first). Only once
confirmed are the migrations written (and a pending migration they replace moved aside, so it never
also runs as written); each is then applied with the tool's own runner and each backfill runs
batched, stopping at the first failure with what ran recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..adapters.base import PlannedStep, StepOutcome
from .pipeline import finish, make_preview
from .preview import ChangeResult


def apply_plan(
    ctx: Any,
    adapter: Any,
    plans: list[tuple[str, Any, Any]],
    *,
    replace: Callable[[Any], str],
    yes: bool,
    confirm: str | None,
    dry_run: bool,
    no_backup: bool,
) -> ChangeResult:
    """``plans``: (label, OnlinePlan, pending migration file or None) in order."""
    from ..online.backfill import Backfill
    from ..online.write import write_plan

    environment = ctx.require_environment()
    db = ctx.database()
    look = ctx.database(read_only=True)
    steps = [s for _, online, _ in plans for s in online.steps]
    planned = []
    for s in steps:
        if s.engine is not None:
            planned.append(PlannedStep(s.name, None, "up", f"-- {s.engine.command()}\n-- instead of: {s.up}", False))
        elif s.backfill is None:
            planned.append(PlannedStep(s.name, None, "up", s.up, s.transactional))
        else:
            job = Backfill(db, s.backfill.table, s.backfill.set_sql, s.backfill.where)
            planned.append(PlannedStep(s.name, None, "up", job.update_sql() + ";", True, {"batches": True}))

    def preview():
        notes = ("plan --apply: every step runs now, in order, with no deploy between them.",)
        return make_preview("plan", adapter, environment, planned, ctx, look, notes)

    def run() -> list[StepOutcome]:
        outcomes: list[StepOutcome] = []
        for _, online, original in plans:
            written = iter(write_plan(adapter, online))
            if original is not None:
                replace(original.path)
            for step in online.steps:
                t0 = time.perf_counter()
                if step.engine is not None:
                    from ..errors import MigrationFailed
                    from ..online.engines import run_engine

                    try:
                        run_engine(step.engine, db.url)
                        outcomes.append(StepOutcome(step.name, "up", "applied", time.perf_counter() - t0))
                    except MigrationFailed as exc:
                        outcomes.append(StepOutcome(step.name, "up", "failed", time.perf_counter() - t0, exc.what, 0))
                elif step.backfill is not None:
                    from ..errors import DbmError

                    bf = step.backfill
                    try:
                        report = Backfill(db, bf.table, bf.set_sql, bf.where).run()
                    except DbmError as exc:  # refused or a batch rejected: recorded like a failed step
                        outcomes.append(StepOutcome(step.name, "up", "failed", time.perf_counter() - t0, exc.what, 0))
                        return outcomes
                    state = "applied" if report.status in ("done", "already done") else "failed"
                    error = None if state == "applied" else report.text()
                    outcomes.append(
                        StepOutcome(step.name, "up", state, time.perf_counter() - t0, error, report.batches)
                    )
                else:
                    _, path, _ = next(written)
                    mig = next(f for f in adapter.migration_files() if f.path == path)
                    done = adapter.apply(db, adapter.plan_apply(db, mig.id))
                    bad = [o for o in done if o.state == "failed"]
                    state = "failed" if bad else "applied"
                    outcomes.append(
                        StepOutcome(
                            step.name,
                            "up",
                            state,
                            time.perf_counter() - t0,
                            bad[0].error if bad else None,
                            bad[0].statements_run if bad else None,
                        )
                    )
                if outcomes[-1].state == "failed":
                    return outcomes
        return outcomes

    return finish(
        "plan",
        preview(),
        dry_run=dry_run,
        yes=yes,
        confirm=confirm,
        run=run,
        replan=preview,
        done_status="applied",
        ctx=ctx,
        db=db,
        no_backup=no_backup,
    )
