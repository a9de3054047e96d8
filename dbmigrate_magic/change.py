"""What a change will do, shown before it runs: a ``Preview`` of the planned steps, with the
``Finding``s and notes the review (lint, production guard) attached to it.

Below both the verbs that build and run previews (``_verbs``) and the safety layer that reviews
them (``safety``), so neither imports the other to share these types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .adapters.base import PlannedStep
from .results import Result


@dataclass(frozen=True)
class Finding:
    """A lint finding or guard note attached to a preview (filled by the safety layer)."""

    rule: str
    severity: str  # error, warning, info
    message: str
    migration: str | None = None
    line: int | None = None
    help: str | None = None


@dataclass(frozen=True, repr=False)
class Preview(Result):
    """What a change will do, shown before anything runs."""

    title: ClassVar[str] = "dbm preview"

    verb: str  # migrate, rollback, resolve, baseline
    tool: str
    environment: str
    database: str | None  # masked URL
    production: bool
    classification: str
    steps: tuple[PlannedStep, ...]
    findings: tuple[Finding, ...] = ()  # lint findings (safety layer)
    guard_notes: tuple[str, ...] = ()  # production guard, backups, connections (safety layer)
    blocking: tuple[str, ...] = ()  # reasons Apply is refused even with confirmation
    notes: tuple[str, ...] = ()

    @property
    def signature(self) -> tuple:
        """What must not change between preview and apply."""
        return tuple((s.migration, s.direction, s.sql) for s in self.steps)

    def confirmation_flag(self) -> str:
        return f"--confirm {self.environment}" if self.production else "--yes"

    def header_lines(self, notes: bool = True) -> list[str]:
        kind = "PRODUCTION" if self.production else "non-production"
        lines = [f"Target: {self.environment} ({self.database}) - {kind}: {self.classification}"]
        if self.steps:
            tx = {s.transactional for s in self.steps}
            how = (
                "each in its own transaction with its tracking row"
                if tx == {True}
                else "NOT transactional: DDL auto-commits, progress is recorded statement by statement"
                if tx == {False}
                else "some in a transaction, some not (see the table)"
            )
            told = {s.extra.get("transaction") for s in self.steps}  # an adapter running the tool's CLI says how
            said = told.pop() if len(told) == 1 else None
            if said is not None:
                how = said
            lines.append(f"{len(self.steps)} {self.verb} step(s) with {self.tool}, {how}.")
        lines.extend(f"Guard: {n}" for n in self.guard_notes)
        for f in self.findings:
            where = f" [{f.migration}{':' + str(f.line) if f.line else ''}]" if f.migration else ""
            lines.append(f"Lint {f.severity} {f.rule}{where}: {f.message}")
        lines.extend(f"Blocked: {b}" for b in self.blocking)
        if notes:
            lines.extend(f"Note: {n}" for n in self.notes)
        return lines

    def sql_text(self) -> str:
        parts = []
        for s in self.steps:
            where = f" ({s.file})" if s.file else ""
            parts.append(f"-- {s.direction.upper()} {s.migration}{where}\n{s.sql.strip()}")
        return "\n\n".join(parts)

    def summary_lines(self) -> list[str]:
        return self.header_lines()

    def table(self) -> list[dict[str, Any]]:
        return [
            {"migration": s.migration, "direction": s.direction, "file": s.file, "transactional": s.transactional}
            for s in self.steps
        ]
