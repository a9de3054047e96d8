"""Where a preview's finding (lint, guard) points: a name and a line a person can open.

A step's SQL usually comes from its migration's file, so findings name the migration and count
lines in that file. A down step run from a stored down file (raw SQL ``<name>.down.sql``, Prisma
``down.sql``, Drizzle ``<tag>.down.sql``: what ``generate --down-for --write`` stores) names that
file instead, with its own line numbers: the migration's name would send the reader to the wrong file.
"""

from __future__ import annotations

from pathlib import Path


def _read(step, ctx) -> str | None:
    if not step.file:
        return None
    path = Path(step.file)
    if not path.is_absolute():
        root = getattr(getattr(ctx, "project", None), "root", None)
        path = Path(root) / path if root else path
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def place(step, ctx) -> tuple[str, int]:
    """(label, lines before the step's SQL in its file) for findings in ``step`` (a PlannedStep)."""
    text = _read(step, ctx)
    at, shift = -1, 0
    if text is not None and step.sql:
        at = text.find(step.sql)
        shift = text.count("\n", 0, at) if at > 0 else 0
    own_file = step.direction == "down" and at >= 0 and Path(step.file).name != step.migration
    return (step.file if own_file else step.migration), shift
