"""``backfill``: the batched, resumable UPDATE, previewed and confirmed like every change (production:
the typed name and a backup first, through the shared pipeline); progress is a tqdm bar (a widget in
a notebook, text in a terminal) with rows done, rate and ETA."""

from __future__ import annotations

from pathlib import Path

from ..adapters.base import PlannedStep, StepOutcome
from ..context import resolve_context
from .migrate import writing_adapter
from .pipeline import finish, make_preview
from .preview import ChangeResult


def _bar(total: int):
    """A progress callback drawing rows done, rate and ETA (tqdm.auto picks widget or text)."""
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="row", desc="backfill", dynamic_ncols=True)

    def show(p) -> None:
        bar.n = p.rows_done
        bar.set_postfix_str(
            f"{p.batches} batches"
            + (f", waiting for replicas ({p.waiting_for_lag:.0f}s)" if p.waiting_for_lag is not None else "")
        )
        bar.refresh()

    return bar, show


def backfill(
    table: str,
    *,
    set_sql: str,
    where: str | None = None,
    batch_size: int = 0,
    batch_ms: float = 15,
    sleep_ms: float = 0,
    max_lag: float = 10.0,
    dry_run: bool = False,
    yes: bool = False,
    confirm: str | None = None,
    env: str | None = None,
    project: str | Path | None = None,
    no_backup: bool = False,
    progress: bool = True,
) -> ChangeResult:
    from ..online.backfill import Backfill

    ctx = resolve_context(project, env)
    adapter = writing_adapter(ctx)
    environment = ctx.require_environment()
    db = ctx.database()
    job = Backfill(db, table, set_sql, where, batch_size, sleep_ms, max_lag, batch_ms=batch_ms)
    job.check()  # a --set or --where the database rejects is refused before the preview
    ahead = job.dry_run()
    notes = (ahead.text().replace("Dry run: ", ""),)
    step = PlannedStep(f"backfill {table}", None, "up", job.update_sql() + ";", True, {"batches": True})

    def plan():
        return make_preview("backfill", adapter, environment, [step], ctx, db, notes)

    reports = []

    def run() -> list[StepOutcome]:
        bar, show = _bar(ahead.rows_total) if progress else (None, None)
        job.on_progress = show
        try:
            report = job.run()
        finally:
            if bar is not None:
                bar.close()
        reports.append(report)
        # a stop keeps every committed batch and the checkpoint: the result says so (status "stopped")
        return [StepOutcome(step.migration, "up", "applied", report.seconds, None, report.batches)]

    result = finish(
        "backfill",
        plan(),
        dry_run=dry_run,
        yes=yes,
        confirm=confirm,
        run=run,
        replan=plan,
        done_status="applied",
        ctx=ctx,
        db=db,
        notes=notes,
        no_backup=no_backup,
    )
    if reports:
        from dataclasses import replace

        status = "stopped" if reports[0].status == "stopped" else result.status
        return replace(result, status=status, message=reports[0].text())
    return result
