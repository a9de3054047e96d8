"""The shared path of every changing verb: plan -> preview -> review -> confirm -> run.

Generic over adapters: nothing here knows a tool. Verbs build a ``Preview`` from the adapter's
plan, review it (lint findings, then the production guard's notes: ``review``), decide whether the
given flags confirm it, and either run it (after the guard's last check and the production backup:
``safety.gate.before_run``) or hand back a result whose ``confirm()`` runs exactly the previewed
plan later (re-checked first). The safety layer is imported when a preview is made, so verbs that
only read (``status``) do not load the linter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..adapters.base import Adapter, PlannedStep, StepOutcome
from ..change import Preview
from ..dialects import find_dialect
from ..errors import MigrationFailed
from .preview import ChangeResult

if TYPE_CHECKING:
    from ..config import Environment
    from ..context import Context
    from ..db import Database


def review(preview: Preview, ctx: Context, db: Database) -> Preview:
    """Every preview is linted, then guarded: lint findings (an error blocks Apply in production),
    then the guard's notes (destructive statements, sessions connected to what is dropped, the
    production backup) and its refusal of dev-only verbs in production."""
    from ..safety import review_cache
    from ..safety.gate import guard_review
    from ..safety.lint.review import lint_review

    # unchanged steps an earlier review found clean are not parsed again (.dbm/cache/, digests only)
    cache = review_cache.bind(ctx.project.root if ctx.project.has_tool else None)
    reviewed = guard_review(lint_review(preview, ctx, db), ctx, db)
    cache.save()
    return reviewed


def make_preview(
    verb: str,
    adapter: Adapter,
    env: Environment,
    steps: list[PlannedStep],
    ctx: Context,
    db: Database,
    notes: tuple[str, ...] = (),
) -> Preview:
    """The reviewed preview of ``steps``. First the database is asked whose it is: a target holding
    another tool's tracking table is refused here (``ForeignTrackingTable``), before anything runs.
    Every run goes through here right before it (``finish`` runs a plan made in the same call; a
    later confirmation replans first), so this one read guards both the preview and the run."""
    from ..adapters.ownership import refuse_foreign_tables

    refuse_foreign_tables(adapter, db)
    preview = Preview(
        verb=verb,
        tool=adapter.tool,
        environment=env.name,
        database=env.masked_url,
        production=env.production,
        classification=env.classification,
        steps=tuple(steps),
        notes=notes,
    )
    return review(preview, ctx, db)


def decide(preview: Preview, *, dry_run: bool, yes: bool, confirm: str | None) -> tuple[str, str]:
    """``("run", "")`` or why not: ``("dry run"|"awaiting confirmation"|"refused", message)``."""
    env = preview.environment
    if dry_run:
        return "dry run", f"Dry run: nothing was run. To run it, pass {preview.confirmation_flag()}."
    if preview.blocking:
        return "refused", "Refused: " + "; ".join(preview.blocking)
    if confirm is not None and confirm != env:
        return "refused", (
            f"--confirm {confirm} does not match the target environment '{env}': nothing was run. "
            f"Pass --confirm {env} if you mean it."
        )
    if preview.production:
        if confirm == env:
            return "run", ""
        if yes:
            return "refused", (
                f"'{env}' is a production environment ({preview.classification}); --yes is not "
                f"enough there: nothing was run. Type the name back with --confirm {env}."
            )
        return "awaiting confirmation", (
            f"Nothing was run: '{env}' is production. Review the SQL below, then "
            f"pass --confirm {env} (in a notebook, type the name and press Apply)."
        )
    if yes or confirm == env:
        return "run", ""
    return "awaiting confirmation", (
        "Nothing was run yet. Review the SQL below, then pass --yes (in a notebook, press Apply)."
    )


def failure_error(
    verb: str, step: PlannedStep, outcome: StepOutcome, done: list[StepOutcome], rows_at_fault: bool = False
) -> MigrationFailed:
    """The error for a failed step: which migration, the statement/line/database message, what stays
    (``rows_at_fault``: the database said rows already in the table break what the step adds)."""
    before = [o.migration for o in done if o.state in ("applied", "rolled_back")]
    before_text = (
        f" {', '.join(before)} completed before it and stay{'s' if len(before) == 1 else ''} done." if before else ""
    )
    if outcome.blocked is not None:
        return _lock_failure(verb, step, outcome, before_text)
    if step.direction == "down":
        return _down_failure(verb, step, outcome, before_text)
    if step.transactional:
        unchanged = f"{step.migration} was rolled back: the database is as it was before it.{before_text}"
        nxt = "Fix the SQL in the migration file (it is not applied) and run the command again."
        if rows_at_fault:
            nxt = (
                "The SQL may well be right: rows already in the table break the constraint it adds (see the "
                "database's message). Correct those rows (or the constraint), then run the command again."
            )
    else:
        ran = outcome.statements_run or 0
        unchanged = (
            f"{step.migration} is recorded as failed after {ran} statement(s) ran (this database "
            f"auto-commits DDL, so those stay).{before_text}"
        )
        nxt = (
            f"Repair by hand what the first {ran} statement(s) did, or finish them, then run "
            f"`dbm resolve {step.migration} --rolled-back` (or `--applied`) and migrate again."
        )
    return MigrationFailed(f"{verb} of {step.migration} failed: {outcome.error}", unchanged=unchanged, next_step=nxt)


def _lock_failure(verb: str, step: PlannedStep, outcome: StepOutcome, before_text: str) -> MigrationFailed:
    """A lock timeout is not a fault in the SQL: the advice is about the session holding the lock."""
    if step.transactional:
        unchanged = f"{step.migration} was rolled back: the database is as it was before it.{before_text}"
    else:
        unchanged = (
            f"{step.migration} is recorded as failed after {outcome.statements_run or 0} statement(s) "
            f"ran (this database auto-commits DDL, so those stay).{before_text}"
        )
    nxt = (
        f"The SQL is not at fault: it waited for a lock held by {outcome.blocked}. Let that session finish "
        "(commit or roll back its transaction), or end it if it is stuck, then run the command again; "
        "DBM_LOCK_TIMEOUT and DBM_LOCK_RETRIES set how long a statement waits."
    )
    if not step.transactional:
        nxt += f" First run `dbm resolve {step.migration} --rolled-back` (after repairing what ran)."
    return MigrationFailed(
        f"{verb} of {step.migration} timed out waiting for a lock: {outcome.error}", unchanged=unchanged, next_step=nxt
    )


def _down_failure(verb: str, step: PlannedStep, outcome: StepOutcome, before_text: str) -> MigrationFailed:
    """A failed down part: the migration is still applied (the failing file is its down part, not the
    migration), so the advice is about the down part and the tracking row."""
    part = f"its down part ({step.file})" if step.file else "its down part"
    if step.transactional:
        unchanged = (
            f"The rollback of {step.migration} failed and was undone: {step.migration} is still applied (its "
            f"tracking row is unchanged) and the schema is as it was before the rollback.{before_text}"
        )
        nxt = (
            f"Fix {part}, then run `dbm rollback` again; or undo the migration by hand and record it with "
            f"`dbm resolve {step.migration} --rolled-back`."
        )
    else:
        ran = outcome.statements_run or 0
        unchanged = (
            f"The rollback of {step.migration} stopped after {ran} statement(s) of {part}; this database "
            f"auto-commits DDL, so those stay, and {step.migration} is not recorded as rolled back "
            f"(`dbm status` shows its row).{before_text}"
        )
        nxt = (
            f"Finish or repair by hand what the first {ran} statement(s) of {part} did, then run "
            f"`dbm resolve {step.migration} --rolled-back` (or fix {part} and run `dbm rollback` again)."
        )
    return MigrationFailed(
        f"{verb} of {step.migration} failed in {part}: {outcome.error}", unchanged=unchanged, next_step=nxt
    )


def execute(
    verb: str,
    preview: Preview,
    run: Callable[[], list[StepOutcome]],
    done_status: str,
    created: str | None = None,
    notes: tuple[str, ...] = (),
    discard: Callable[[], str] | None = None,
) -> ChangeResult:
    """Run a confirmed plan; a failed step raises ``MigrationFailed`` carrying the partial result
    (with ``discard``: removing the pending file this cell wrote, e.g. a notebook's Cancel)."""
    outcomes = run()
    ran = when_and_who()
    failed = [o for o in outcomes if o.state == "failed"]
    if failed:
        bad = failed[0]
        step = next(s for s in preview.steps if s.migration == bad.migration and s.direction == bad.direction)
        kind = find_dialect(preview.database)
        rows_at_fault = kind is not None and kind.rows_break_constraint(bad.error or "")
        error = failure_error(verb, step, bad, outcomes, rows_at_fault)
        if discard is not None and _cell_file_untouched(preview, outcomes, created) and _is_cell_file(step, created):
            error.unchanged += f" The file {created} that this cell wrote is still there and pending (not applied)."
            error.next_step = (
                "Fix the SQL in the cell and run the cell again: the new run replaces that file. "
                f"Or press Cancel (in a notebook) or delete {created} to drop the migration."
            )
        elif discard is not None and _cell_file_untouched(preview, outcomes, created):
            # another pending migration failed before this cell's was reached: fixing the cell cannot help
            error.unchanged += f" The file {created} that this cell wrote was not reached: it is still there and pending (not applied)."
            error.next_step = (
                f"The failure is in {step.file or step.migration}, not in this cell's SQL: {error.next_step} "
                f"This cell's migration runs after it; to drop it instead, press Cancel (in a notebook) or delete "
                f"{created}."
            )
        else:
            discard = None  # a file whose migration ran in part (or is another's) is never removed
        error.result = ChangeResult(
            verb,
            "failed",
            preview,
            tuple(outcomes),
            error.what,
            created,
            notes,
            None,
            discard,
            *ran,
        )
        raise error
    done = [o for o in outcomes if o.state != "skipped"]
    skipped = [o for o in outcomes if o.state == "skipped"]
    msg = f"{len(done)} step(s) done"
    if skipped:
        msg += f"; {len(skipped)} skipped (already done by another run)"
    return ChangeResult(verb, done_status, preview, tuple(outcomes), msg + ".", created, notes, None, None, *ran)


def _is_cell_file(step: PlannedStep, created: str | None) -> bool:
    """The step runs the file this cell wrote (a tool's file may sit in a folder named after it)."""
    return bool(created and step.file and (step.file == created or step.file.startswith(created)))


def _cell_file_untouched(preview: Preview, outcomes: list[StepOutcome], created: str | None) -> bool:
    """The migration this cell wrote did not take effect: not reached, or failed and rolled back."""
    if created is None:
        return False
    mine = [s for s in preview.steps if s.file and (s.file == created or s.file.startswith(created))]
    if len(mine) != 1:
        return False
    step = mine[0]
    outcome = next((o for o in outcomes if o.migration == step.migration and o.direction == step.direction), None)
    return outcome is None or (outcome.state == "failed" and step.transactional)


def when_and_who() -> tuple[str, str]:
    """The run's end (UTC, seconds) and the operating-system user: the record a saved notebook keeps."""
    import datetime as dt
    import getpass

    try:
        user = getpass.getuser()
    except Exception:  # no login name (some containers)
        user = "unknown user"
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"), user


def finish(
    verb: str,
    preview: Preview,
    *,
    dry_run: bool,
    yes: bool,
    confirm: str | None,
    run: Callable[[], list[StepOutcome]],
    replan: Callable[[], Preview],
    done_status: str,
    ctx: Context,
    db: Database,
    created: str | None = None,
    notes: tuple[str, ...] = (),
    discard: Callable[[], str] | None = None,
    no_backup: bool = False,
) -> ChangeResult:
    """Decide from the flags; run now, or return a result whose ``confirm()`` runs the same plan."""
    decision, message = decide(preview, dry_run=dry_run, yes=yes, confirm=confirm)
    if decision == "run":
        db.require_database_name()
        from ..safety.gate import before_run  # production guard with the real flags, then the backup

        gate_notes = before_run(preview, ctx, db, yes=yes, confirm=confirm, no_backup=no_backup)
        return execute(verb, preview, run, done_status, created, notes + tuple(gate_notes), discard)

    def runner(phrase: str | None) -> ChangeResult:
        fresh = replan()
        if fresh.signature != preview.signature:
            return ChangeResult(
                verb,
                "refused",
                fresh,
                (),
                "The plan changed since the preview (another run or an "
                "edited file): nothing was run. Look at the new preview and confirm again.",
                created,
                notes,
            )
        return finish(
            verb,
            fresh,
            dry_run=False,
            yes=not fresh.production,
            confirm=phrase,
            run=run,
            replan=replan,
            done_status=done_status,
            ctx=ctx,
            db=db,
            created=created,
            notes=notes,
            discard=discard,
            no_backup=no_backup,
        )

    can_confirm = decision == "awaiting confirmation"
    return ChangeResult(
        verb,
        decision,
        preview,
        (),
        message,
        created,
        notes,
        runner=runner if can_confirm else None,
        discard=discard if can_confirm else None,
    )
