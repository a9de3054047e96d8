"""Adapters whose changes go through the tool's own commands, held as an operations object.

Alembic and Django write, apply and roll back through their own APIs (``alembic/ops.py``,
``django/ops.py``). Their adapters hold that object as ``self.ops`` (composition, so each side's
attributes are declared where they are used) and forward the changing half of the protocol to it
here, once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .base import Adapter, MigrationFile, PlannedStep, StepOutcome

if TYPE_CHECKING:
    from ..db import Database


class ToolOperations(Protocol):
    """The changing half of the adapter protocol, as the tool's own commands carry it out."""

    def parents(self, migration: str) -> list[str]: ...
    def new_migration(self, name: str, up_sql: str = "", down_sql: str | None = None) -> Path: ...
    def autogenerate(self, db: Database, name: str) -> list[Path]: ...
    def autogenerate_hint(self) -> str | None: ...
    def find_migration(self, name: str, up_sql: str, down_sql: str | None) -> MigrationFile | None: ...
    def plan_apply(self, db: Database, target: str | None = None) -> list[PlannedStep]: ...
    def apply(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]: ...
    def plan_rollback(self, db: Database, steps: int | None = None, target: str | None = None) -> list[PlannedStep]: ...
    def rollback(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]: ...
    def resolve(self, db: Database, migration: str, state: str) -> str: ...
    def baseline(self, db: Database, target: str | None = None) -> str: ...


class OperatedAdapter(Adapter):
    """An adapter that reads files and history itself and changes things through ``self.ops``."""

    ops: ToolOperations

    def parents(self, migration: str) -> list[str]:
        return self.ops.parents(migration)

    def new_migration(self, name: str, up_sql: str = "", down_sql: str | None = None) -> Path:
        return self.ops.new_migration(name, up_sql, down_sql)

    def autogenerate(self, db: Database, name: str) -> list[Path]:
        return self.ops.autogenerate(db, name)

    def autogenerate_hint(self) -> str | None:
        return self.ops.autogenerate_hint()

    def find_migration(self, name: str, up_sql: str, down_sql: str | None) -> MigrationFile | None:
        return self.ops.find_migration(name, up_sql, down_sql)

    def plan_apply(self, db: Database, target: str | None = None) -> list[PlannedStep]:
        return self.ops.plan_apply(db, target)

    def apply(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        return self.ops.apply(db, steps)

    def plan_rollback(self, db: Database, steps: int | None = None, target: str | None = None) -> list[PlannedStep]:
        return self.ops.plan_rollback(db, steps, target)

    def rollback(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        return self.ops.rollback(db, steps)

    def resolve(self, db: Database, migration: str, state: str) -> str:
        return self.ops.resolve(db, migration, state)

    def baseline(self, db: Database, target: str | None = None) -> str:
        return self.ops.baseline(db, target)
