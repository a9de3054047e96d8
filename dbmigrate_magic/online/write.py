"""Store a plan's migration steps with the project's own tool (the writers ``dbm new`` uses), one
migration per step, in order; steps that must run outside a transaction are marked the tool's way."""

from __future__ import annotations

from pathlib import Path

from ..adapters.base import Adapter
from ..errors import UnsupportedOperation
from .model import OnlinePlan


def can_run_outside_transaction(adapter: Adapter) -> bool:
    return type(adapter).mark_outside_transaction is not Adapter.mark_outside_transaction


def write_plan(adapter: Adapter, plan: OnlinePlan) -> list[tuple[str, Path, str | None]]:
    """(step name, file, how it runs outside a transaction or None) per migration written. Refuses
    before writing anything when a step needs no transaction and the tool cannot do that."""
    needs = [s.name for s in plan.steps if s.is_migration and not s.transactional]
    if needs and not can_run_outside_transaction(adapter):
        why = f" ({adapter.no_transaction_limit})" if adapter.no_transaction_limit else ""
        raise UnsupportedOperation(
            f"{adapter.display_name} migrations written by dbmigrate_magic cannot run outside a transaction{why}, "
            f"and {', '.join(needs)} must (CONCURRENTLY).",
            unchanged="No migration was written.",
            next_step="Run those steps' SQL by hand (psql) at their place in the plan; `dbm plan` without --write "
            "shows it.",
        )
    written = []
    for step in plan.steps:
        if not step.is_migration:
            continue
        path = adapter.new_migration(step.name, step.up, step.down)
        how = None if step.transactional else adapter.mark_outside_transaction(path)
        written.append((step.name, path, how))
    return written
