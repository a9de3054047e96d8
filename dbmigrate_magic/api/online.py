"""The zero-downtime verbs: plan (expand/contract migrations for a risky change) and backfill."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from ..argspec import Arg
from ._params import Confirm, DryRun, Env, NoBackup, Project, Yes, _at_most_one

if TYPE_CHECKING:
    from .._verbs.plan import PlanResult
    from .._verbs.preview import ChangeResult


def plan(
    file: Annotated[str | None, Arg(help="a migration's SQL file to plan (or --pending, or a %%dbm plan cell)")] = None,
    *,
    sql: Annotated[str | None, Arg(cell=True)] = None,
    pending: Annotated[bool, Arg(help="plan the project's pending migrations (--write replaces them)")] = False,
    write: Annotated[bool, Arg(help="store each step as its own migration in the project's tool")] = False,
    pg_version: Annotated[
        str | int | None, Arg(help="PostgreSQL major version the plan targets, for its lint (default 15)")
    ] = None,
    apply: Annotated[
        bool, Arg(help="write the steps and run them all now, in order, backfills included (no deploys between)")
    ] = False,
    dry_run: DryRun = False,
    yes: Yes = False,
    confirm: Confirm = None,
    no_backup: NoBackup = False,
    env: Env = None,
    project: Project = None,
) -> PlanResult | ChangeResult:
    """A zero-downtime expand/contract plan for a risky change, as migrations in the project's tool.

    Each step is its own migration (or a ``dbm backfill``), with what it locks and for how long, the
    deploy checklist between steps and the lint findings the plan removes. ``write`` stores the
    migrations (a pending migration planned with ``pending`` is replaced by them); nothing is applied
    unless ``apply``: then, once confirmed (``yes``; production: ``confirm`` and a backup first), every
    step is written and run in order, backfills included, for where no deploy is needed between steps.
    """
    _at_most_one(yes=yes, confirm=confirm)
    if (yes or confirm or dry_run or no_backup) and not apply:
        from ..errors import UsageProblem

        raise UsageProblem(
            "--yes, --confirm, --dry-run and --no-backup go with --apply (plan alone applies nothing).",
            next_step="Add --apply to run the plan now, or drop them.",
        )
    from .._verbs.plan import plan as _plan

    return _plan(
        file,
        sql=sql,
        pending=pending,
        env=env,
        project=project,
        write=write,
        pg_version=pg_version,
        apply=apply,
        yes=yes,
        confirm=confirm,
        dry_run=dry_run,
        no_backup=no_backup,
    )


def backfill(
    table: Annotated[str, Arg(help="the table to update (schema.table where needed)")],
    *,
    set_sql: Annotated[
        str, Arg(help='the assignment (required), e.g. "email_lower = lower(email)"', flag="--set")
    ] = "",
    where: Annotated[str | None, Arg(help="only rows matching this condition")] = None,
    batch_size: Annotated[
        int, Arg(help="rows per batch (one short transaction each); 0: sized by --batch-ms", metavar="N")
    ] = 0,
    batch_ms: Annotated[
        int, Arg(help="how long each batch may hold its row locks, when sized by time", metavar="MS")
    ] = 15,
    sleep_ms: Annotated[int, Arg(help="pause between batches", flag="--sleep", metavar="MS")] = 0,
    max_lag: Annotated[
        int, Arg(help="wait while replicas are more than this many seconds behind", metavar="SECONDS")
    ] = 10,
    dry_run: DryRun = False,
    yes: Yes = False,
    confirm: Confirm = None,
    no_backup: NoBackup = False,
    env: Env = None,
    project: Project = None,
) -> ChangeResult:
    """Batched, resumable UPDATE in primary-key order, with progress; resumes where a stopped run ended.

    Each batch commits with its checkpoint (table ``dbm_backfill``), so running the same command again
    after Ctrl-C, a crash or ``kill -9`` continues with the next row: none is done twice or skipped.
    Writers wait for a batch's row locks, so by default each batch is sized to hold them ``batch_ms``.
    """
    _at_most_one(yes=yes, confirm=confirm)
    from .._verbs.backfill import backfill as _backfill

    return _backfill(
        table,
        set_sql=set_sql,
        where=where,
        batch_size=batch_size,
        batch_ms=batch_ms,
        sleep_ms=sleep_ms,
        max_lag=max_lag,
        dry_run=dry_run,
        yes=yes,
        confirm=confirm,
        env=env,
        project=project,
        no_backup=no_backup,
    )
