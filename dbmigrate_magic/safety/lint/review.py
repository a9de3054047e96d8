"""Lint inside every changing verb's preview (migrate, rollback): each planned step's SQL is
linted, the findings are shown in the preview, and in production an error-level finding blocks
Apply. The explicit per-rule override is a ``-- dbm:ignore RULE`` comment on the statement in the
migration file, so the decision is reviewed and recorded with the migration itself.

Called by the pipeline (``_verbs.pipeline.review``) on every preview, before the production guard.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ...change import Finding as PreviewFinding
from ...change import Preview
from ...dialects import dialect_for
from .. import review_cache
from ..where import place
from .engine import lint_sql, normalise_dialect

if TYPE_CHECKING:
    from ...adapters.base import PlannedStep
    from ...context import Context
    from ...db import Database


def server_pg_version(db: Database) -> int | None:
    """The PostgreSQL server's major version, or None when it cannot be read."""
    try:
        conn = db.raw_connection()
    except Exception:  # unreachable or not PostgreSQL: the linter's default applies
        return None
    try:
        cursor = conn.dbapi_connection.cursor()
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000
    except Exception:
        return None
    finally:
        conn.close()


def lint_review(preview: Preview, ctx: Context, db: Database) -> Preview:
    try:
        dialect = normalise_dialect(getattr(db, "dialect", None))
    except Exception:
        return preview
    version = server_pg_version(db) if dialect_for(dialect).lint_by_version and preview.steps else None
    found, blocking = [], []
    cache = review_cache.current()
    for step in preview.steps:
        if not step.sql or not step.sql.strip():
            continue
        # everything that decides the findings; the hoisted offsets follow from the SQL and the ledger
        key = review_cache.digest("lint", dialect, version, step.transactional, step.file, _hoists(step, dialect, ctx))
        key = review_cache.digest(key, step.sql)
        if cache is not None and cache.is_clean(key):
            continue
        # the runner sets lock_timeout/statement_timeout itself (ledger), so those rules stay quiet
        outside = hoisted_offsets(step, dialect, ctx)
        findings = lint_sql(
            step.sql,
            dialect,
            pg_version=version,
            in_transaction=step.transactional,
            session_timeouts=True,
            file=step.file,
            outside_transaction=outside,
        )
        if not findings and cache is not None:
            cache.mark_clean(key)
            continue
        label, shift = place(step, ctx)
        for f in findings:
            line = f.line + shift
            found.append(PreviewFinding(f.rule, f.severity, f.message, migration=label, line=line, help=f.help))
            if f.severity == "error" and preview.production:
                blocking.append(
                    f"lint error {f.rule} in {label} line {line} (review it; to accept it, "
                    f"add `-- dbm:ignore {f.rule}` to that statement in {label})"
                )
    if not found:
        return preview
    return dataclasses.replace(
        preview, findings=preview.findings + tuple(found), blocking=preview.blocking + tuple(blocking)
    )


def _hoists(step: PlannedStep, dialect: str, ctx: Context) -> bool:
    """Whether our ledger runs this step, hoisting SQLite foreign_keys pragmas out of its transaction."""
    if not dialect_for(dialect).hoists_fk_pragmas or not step.transactional:
        return False
    # a project with no migrations yet has no detected tool (its first cell migration is raw SQL)
    project = ctx.project
    return bool(project.has_tool and step.direction in project.adapter.ledger_directions)


def hoisted_offsets(step: PlannedStep, dialect: str, ctx: Context) -> frozenset[int]:
    """Offsets in ``step.sql`` of the SQLite foreign_keys pragmas our ledger runs outside the
    step's transaction (the same choice the ledger makes, from ``sqlite_fk``)."""
    if not _hoists(step, dialect, ctx) or "foreign_keys" not in step.sql.lower():  # no pragma: nothing to split
        return frozenset()
    from ...sqlite_fk import fk_hoist
    from ...sqlsplit import split

    statements = split(step.sql, "sqlite")
    return frozenset(statements[i].offset for i in fk_hoist(statements).hoisted())
