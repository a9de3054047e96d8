"""Alembic's history: which revisions are applied, read from the revision graph and the heads
recorded in ``alembic_version`` (every ancestor of a recorded head is applied).

Shared by the adapter (``status``) and its operations (planning an upgrade), which both import it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..base import History, MigrationRow

if TYPE_CHECKING:
    from .adapter import AlembicAdapter
    from .graph import RevisionGraph

EXTRA_COLUMNS = ("revision", "down_revision", "branch_labels", "is_head", "is_current", "message")


def build_history(
    adapter: AlembicAdapter, graph: RevisionGraph, recorded: list[str] | None, reachable: bool
) -> History:
    """Rows in apply order: ancestors of the recorded heads applied, the rest pending."""
    order = graph.ordered()
    script_heads = set(graph.heads())
    recorded_set = set(recorded or ())
    applied = graph.ancestors(recorded or ())
    rows: list[MigrationRow] = []
    for rev_id in order:
        rev = graph.revisions[rev_id]
        extra: dict[str, object] = {
            "revision": rev_id,
            "down_revision": ", ".join(rev.down_revisions) or None,
            "branch_labels": ", ".join(rev.branch_labels) or None,
            "message": rev.message,
            "is_head": rev_id in script_heads,
            "is_current": rev_id in recorded_set,
        }
        if not reachable:
            state = "unknown"
        else:
            state = "applied" if rev_id in applied else "pending"
        note = "identifiers read by importing the module" if graph.revisions[rev_id].imported else None
        rows.append(
            MigrationRow(rev_id, _relative(adapter, graph.revisions[rev_id].file), state, None, None, note, extra)
        )
    for rev_id in recorded or ():
        if rev_id not in graph.revisions:
            extra = {c: None for c in EXTRA_COLUMNS} | {"revision": rev_id, "is_head": False, "is_current": True}
            rows.append(
                MigrationRow(
                    rev_id,
                    None,
                    "missing",
                    None,
                    None,
                    f"recorded in {adapter.table_label}, no revision file has this id",
                    extra,
                )
            )
    notes = _notes(adapter, graph, recorded)
    current = ", ".join(recorded) if recorded else None
    table_exists = reachable and recorded is not None
    return History(tuple(rows), table_exists, adapter.table_label, current, tuple(notes), EXTRA_COLUMNS)


def _notes(adapter: AlembicAdapter, graph: RevisionGraph, recorded: list[str] | None) -> list[str]:
    notes = []
    heads = graph.heads()
    if len(heads) > 1:
        notes.append(
            f"{len(heads)} heads in the revision files: {', '.join(heads)} "
            "(`alembic upgrade heads` applies all; `alembic merge heads` joins them)"
        )
    if recorded and len(recorded) > 1:
        notes.append(f"the database is at {len(recorded)} heads: {', '.join(recorded)}")
    lost = [r for r in recorded or () if r not in graph.revisions]
    if lost:
        notes.append(
            f"{', '.join(lost)} recorded in {adapter.table_label} but no file declares "
            f"{'it' if len(lost) == 1 else 'them'}: what came before cannot be told from the files, so "
            "revisions shown pending may already be applied (restore the file, or `alembic stamp`)"
        )
    for rev, ref in graph.dangling():
        notes.append(f"revision {rev} refers to {ref}, which no revision file declares")
    for path in graph.unreadable:
        notes.append(
            f"{_relative(adapter, path)} is not a readable revision file (no `revision` id, or it fails to import)"
        )
    for rev in graph.duplicates:
        notes.append(f"revision id {rev} is declared by more than one file")
    return notes


def _relative(adapter: AlembicAdapter, file: str) -> str:
    prefix = str(adapter.root) + os.sep
    return file[len(prefix) :].replace(os.sep, "/") if file.startswith(prefix) else adapter.relative(Path(file))
