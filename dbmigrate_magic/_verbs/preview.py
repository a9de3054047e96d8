"""The result every changing verb returns (migrate, rollback, resolve, baseline).

A ``ChangeResult`` carries the plan (a ``change.Preview``: exact SQL per step, target environment
and whether it is production, transactional or not, lint findings and guard notes), what happened
to each step, and, while unconfirmed, a way to run the same plan later (a notebook's Apply button,
the CLI's prompt). Confirmation rules live here so every front end applies the same ones.
"""

from __future__ import annotations

import html as _html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..adapters.base import StepOutcome
from ..change import Preview
from ..masking import mask, mask_obj
from ..results import Result, jsonable

#: statuses that mean "nothing ran because a person still has to say yes"
UNCONFIRMED = ("awaiting confirmation", "refused")


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
