"""The preview every changing verb shows before it runs anything, and the result it returns.

A ``ChangeResult`` carries the plan (exact SQL per step, target environment and whether it is
production, transactional or not, lint findings and guard notes), what happened to each step,
and, while unconfirmed, a way to run the same plan later (a notebook's Apply button, the CLI's
prompt). Confirmation rules live here so every front end applies the same ones.
"""

from __future__ import annotations

import html as _html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..adapters.base import PlannedStep, StepOutcome
from ..masking import mask, mask_obj
from ..results import Result, jsonable

#: statuses that mean "nothing ran because a person still has to say yes"
UNCONFIRMED = ("awaiting confirmation", "refused")


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

    def header_lines(self) -> list[str]:
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
            if len(told) == 1 and None not in told:
                how = told.pop()
            lines.append(f"{len(self.steps)} {self.verb} step(s) with {self.tool}, {how}.")
        lines.extend(f"Guard: {n}" for n in self.guard_notes)
        for f in self.findings:
            where = f" [{f.migration}{':' + str(f.line) if f.line else ''}]" if f.migration else ""
            lines.append(f"Lint {f.severity} {f.rule}{where}: {f.message}")
        lines.extend(f"Blocked: {b}" for b in self.blocking)
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


@dataclass(frozen=True, repr=False)
class ChangeResult(Result):
    """The result of migrate/rollback/resolve/baseline: the preview, then what happened.

    ``status``: applied, rolled back, resolved, baselined, up to date, dry run,
    awaiting confirmation (nothing ran), refused (nothing ran), failed.
    """

    title: ClassVar[str] = "dbm"
    state_column: ClassVar[str | None] = "state"

    verb: str
    status: str
    preview: Preview | None
    outcomes: tuple[StepOutcome, ...] = ()
    message: str = ""  # one line: what happened / what to do next
    created: str | None = None  # a migration file this call wrote (relative path)
    notes: tuple[str, ...] = ()
    #: runs the previewed plan once confirmed: ``run(phrase) -> ChangeResult``
    runner: Callable[[str | None], ChangeResult] | None = field(default=None, repr=False, compare=False)
    discard: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    # --- confirmation ------------------------------------------------------------------------
    @property
    def needs_confirmation(self) -> bool:
        return self.status == "awaiting confirmation" and self.runner is not None

    def prompt_text(self) -> str:
        if self.preview and self.preview.production:
            return f"Type the environment name ({self.preview.environment}) to apply, anything else cancels: "
        return "Apply? [y/N] "

    def confirm(self, phrase: str | None) -> ChangeResult:
        """Run the previewed plan if ``phrase`` confirms it (y/yes, or the production env's name)."""
        if not self.needs_confirmation:
            return self
        answer = (phrase or "").strip()
        assert self.preview is not None and self.runner is not None
        if self.preview.production:
            ok = answer == self.preview.environment
        else:
            ok = answer.lower() in ("y", "yes") or answer == self.preview.environment
        if not ok:
            return self.cancelled()
        return self.runner(self.preview.environment if self.preview.production else None)

    def cancelled(self) -> ChangeResult:
        note = self.discard() if self.discard else ""
        return ChangeResult(
            self.verb, "cancelled", self.preview, (), "Cancelled: nothing was run. " + note, None, self.notes
        )

    # --- views --------------------------------------------------------------------------------
    def exit_code(self, *, report_attention: bool = False) -> int:
        return 1 if self.status in (*UNCONFIRMED, "failed", "cancelled") else 0

    def summary_lines(self) -> list[str]:
        lines = [f"{self.verb}: {self.status}" + (f" - {self.message}" if self.message else "")]
        if self.created:
            lines.append(f"Migration file: {self.created}")
        lines.extend(f"Note: {n}" for n in self.notes)
        if self.preview is not None:
            lines.extend(self.preview.header_lines())
        return lines

    def columns(self) -> list[str]:
        return ["migration", "direction", "file", "transactional", "state", "seconds", "statements_run", "error"]

    def table(self) -> list[dict[str, Any]] | None:
        if self.preview is None:
            return None
        done = {(o.migration, o.direction): o for o in self.outcomes}
        rows = []
        for s in self.preview.steps:
            o = done.get((s.migration, s.direction))
            rows.append(
                {
                    "migration": s.migration,
                    "direction": s.direction,
                    "file": s.file,
                    "transactional": s.transactional,
                    "state": o.state if o else ("planned" if self.status not in ("failed", "applied") else "not run"),
                    "seconds": round(o.seconds, 4) if o else None,
                    "statements_run": o.statements_run if o else None,
                    "error": o.error if o else None,
                }
            )
        return rows

    def to_text(self) -> str:
        from ..display.text import render_text

        text = render_text(self)
        if (
            self.preview is not None
            and self.preview.steps
            and self.status in ("dry run", "awaiting confirmation", "refused")
        ):
            text += "\n\n" + self.preview.sql_text()
        return mask(text)

    def _repr_html_(self) -> str:
        from ..display.html import render_html

        body = render_html(self)
        if self.preview is not None and self.preview.steps:
            opened = " open" if self.status in ("dry run", "awaiting confirmation", "refused") else ""
            body += (
                f"<details{opened}><summary>SQL ({len(self.preview.steps)} step(s))</summary>"
                f"<pre>{_html.escape(self.preview.sql_text())}</pre></details>"
            )
        return mask(body)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "verb": self.verb,
            "status": self.status,
            "message": self.message,
            "created": self.created,
            "notes": list(self.notes),
            "outcomes": [jsonable(o) for o in self.outcomes],
        }
        if self.preview is not None:
            p = self.preview
            data["preview"] = {
                "tool": p.tool,
                "environment": p.environment,
                "database": p.database,
                "production": p.production,
                "classification": p.classification,
                "steps": [jsonable(s) for s in p.steps],
                "findings": [jsonable(f) for f in p.findings],
                "guard_notes": list(p.guard_notes),
                "blocking": list(p.blocking),
                "notes": list(p.notes),
            }
        return mask_obj(data)  # type: ignore[return-value]

    def display_in_notebook(self):
        """In a notebook: the preview with Apply/Cancel buttons while unconfirmed; else the result."""
        if self.needs_confirmation:
            from ..display.confirm import show_confirmation

            return show_confirmation(self)
        return self


# Backwards-friendly names for the verbs' results
MigrateResult = ChangeResult
RollbackResult = ChangeResult
