"""The production guard and the automatic backup in the changing verbs' pipeline.

``guard_review`` (called on every preview, after lint) lists destructive statements and the sessions
connected to what will be dropped in every preview, and blocks dev-only verbs in production.
``before_run`` runs once a plan is confirmed and before anything executes: it re-checks the
plan with the real flags (``guard.check``) and, for migrate/rollback in production, takes the
backup first (or records that ``--no-backup`` declined it).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from . import guard

if TYPE_CHECKING:
    from ..change import Preview
    from ..context import Context
    from ..db import Database
    from .destructive import Destructive

#: verbs whose confirmed run is preceded by a backup in production
BACKED_UP_VERBS = ("migrate", "rollback", "seed", "backfill", "plan")


def _scan(preview: Preview, db: Database | None, ctx: Context | None = None) -> tuple[guard.GuardReport, str | None]:
    from .destructive import classify
    from .where import place

    dialect = db.dialect if db is not None else "postgresql"
    findings: list[Destructive] = []
    for step in preview.steps:
        found = classify(step.sql or "", dialect)
        if found:
            label, shift = place(step, ctx)  # lines and name in the file the SQL comes from, as lint shows them
            findings.extend(dataclasses.replace(f, line=f.line + shift, step=label) for f in found)
    connections: tuple = ()
    problem = None
    if db is not None and any(f.kind in ("drop_table", "drop_database", "drop_schema") for f in findings):
        from ..errors import DbmError
        from .connections import active_connections

        try:
            connections = tuple(active_connections(db, findings))
        except DbmError as exc:
            problem = exc.what
    env_class = "production" if preview.production else guard.environment_class(preview.environment)
    return guard.GuardReport(preview.environment, env_class, tuple(findings), connections), problem


def guard_review(preview: Preview, ctx: Context, db: Database) -> Preview:
    """Add the guard's notes (and, for dev-only verbs in production, a blocking reason)."""
    notes = list(preview.guard_notes)
    blocking = list(preview.blocking)
    if preview.production and preview.verb in guard.DEV_ONLY:
        blocking.append(f"'{preview.verb}' is a dev-only operation and never runs in production")
    report, problem = _scan(preview, db, ctx)
    if problem:
        notes.append(problem)
    for f in report.findings:
        notes.append(f"destructive [{f.step}:{f.line}] {f.description}: {' '.join(f.statement.split())[:120]}")
    notes.extend(guard.connection_lines(report.connections))
    if report.findings:
        need = f"--confirm {preview.environment}" if preview.production else "--yes"
        notes.append(f"{len(report.findings)} destructive statement(s): running them needs {need}.")
    if preview.production and preview.verb in BACKED_UP_VERBS and preview.steps:
        notes.append(
            "A backup of this production database is taken before anything runs "
            "(decline with --no-backup; the decline is recorded)."
        )
    return dataclasses.replace(preview, guard_notes=tuple(notes), blocking=tuple(blocking))


def before_run(
    preview: Preview, ctx: Context, db: Database, *, yes: bool, confirm: str | None, no_backup: bool = False
) -> list[str]:
    """Last check with the real flags, then the production backup; returns notes for the result."""
    environment = ctx.require_environment()
    if preview.verb in guard.DEV_ONLY:
        guard.refuse_dev_only(preview.verb, environment)
    report = guard.check(preview.steps, environment, confirm, yes, dialect=db.dialect)
    notes = []
    if report.findings:
        notes.append(f"{len(report.findings)} destructive statement(s) confirmed with {report.confirmed_by}.")
    if preview.verb in BACKED_UP_VERBS and environment.production and not db.exists():
        # a SQLite file that is not there yet (previews create nothing): nothing exists to back up
        notes.append("No backup taken: the SQLite database file does not exist yet, so there is nothing to lose.")
    elif preview.verb in BACKED_UP_VERBS:
        from ..backup import Declined, ensure_backup_before_change

        outcome = ensure_backup_before_change(ctx, no_backup, reason=f"automatic, before {preview.verb}")
        if isinstance(outcome, Declined):
            notes.append(outcome.message)
        elif outcome is not None:
            notes.append(
                f"Backup taken before {preview.verb}: {outcome.name} ({outcome.size_bytes:,} bytes, "
                f"sha256 {outcome.sha256[:12]}...); restore with `dbm restore {outcome.name}`."
            )
    return notes
