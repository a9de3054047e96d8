"""The result every changing verb returns (migrate, rollback, resolve, baseline).

A ``ChangeResult`` carries the plan (a ``change.Preview``: exact SQL per step, target environment
and whether it is production, transactional or not, lint findings and guard notes), what happened
to each step, and, while unconfirmed, a way to run the same plan later (a notebook's Apply button,
the CLI's prompt). Confirmation rules live here so every front end applies the same ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..adapters.base import StepOutcome
from ..change import Preview
from ..masking import mask, mask_obj
from ..results import Result, jsonable
from .confirmation import Confirmable

#: statuses that mean "nothing ran because a person still has to say yes"
UNCONFIRMED = ("awaiting confirmation", "refused")


@dataclass(frozen=True, repr=False)
class ChangeResult(Confirmable, Result):
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
    ran_at: str | None = None  # when the run ended (UTC), for the record a saved notebook keeps
    ran_by: str | None = None  # the operating-system user who ran it

    def cancelled(self) -> ChangeResult:
        """Nothing more runs; a migration file this cell wrote (pending, never applied) is removed."""
        note = self.discard() if self.discard else ""
        if self.status == "failed":
            what = self.message.split("\n")[0]
            message = (
                f"Cancelled after the failure ({what}). {note} The database is as the failure left it "
                "(the steps below say which ran)."
            )
            return ChangeResult(
                self.verb, "failed", self.preview, self.outcomes, message, None, self.notes, None, None, *self.ran
            )
        return ChangeResult(
            self.verb, "cancelled", self.preview, (), "Cancelled: nothing was run. " + note, None, self.notes
        )

    @property
    def ran(self) -> tuple[str | None, str | None]:
        return self.ran_at, self.ran_by

    @property
    def status_colour(self) -> str:
        """The state colour of the status badge (``display.html.STATE_COLOURS``)."""
        if self.status in ("failed", "refused"):
            return "failed"
        if self.status in ("awaiting confirmation", "dry run"):
            return "pending"
        return "rolled_back" if self.status == "cancelled" else "applied"

    def confirm_hint(self) -> str:
        """How to confirm an unconfirmed preview; a saved notebook keeps this line, not the buttons."""
        if self.preview is None:
            return ""
        env = self.preview.environment
        if self.preview.production:
            return (
                f"To apply: type {env} in the box and press Apply (a live kernel), or run this cell again "
                f"with --confirm {env}."
            )
        return "To apply: press Apply (a live kernel), or run this cell again with --yes."

    def record_lines(self) -> list[str]:
        """When, by whom and where it ran: what a saved notebook keeps as evidence."""
        if not self.ran_at or self.preview is None:
            return []
        p = self.preview
        return [
            f"Ran {self.ran_at} by {self.ran_by or 'unknown user'} on {p.environment} ({p.database}) with {p.tool}."
        ]

    def guard_notes(self) -> list[str]:
        """The guard's notes; once the run happened, without those that only announced it (the backup
        note that follows says what was taken)."""
        notes = list(self.preview.guard_notes) if self.preview is not None else []
        if self.ran_at:
            notes = [n for n in notes if not n.startswith(_ANNOUNCED)]
        return notes

    def all_notes(self) -> list[str]:
        """Each note once (the verb's and the preview's overlap), in the past tense once the run happened."""
        notes = list(self.notes) + (list(self.preview.notes) if self.preview is not None else [])
        unique = list(dict.fromkeys(notes))
        if self.ran_at:
            unique = [past_tense(n) for n in unique]
        return unique

    # --- views --------------------------------------------------------------------------------
    def exit_code(self, *, report_attention: bool = False) -> int:
        return (
            1 if self.status in (*UNCONFIRMED, "failed", "cancelled", "stopped") else 0
        )  # stopped: a backfill cut short

    def summary_lines(self) -> list[str]:
        lines = [f"{self.verb}: {self.status}" + (f" - {self.message}" if self.message else "")]
        lines.extend(self.record_lines())
        if self.created:
            lines.append(f"Migration file: {self.created}")
        lines.extend(f"Note: {n}" for n in self.all_notes())
        if self.preview is not None:
            shown = self.guard_notes()
            lines.extend(
                ln
                for ln in self.preview.header_lines(notes=False)
                if not ln.startswith("Guard: ") or ln[len("Guard: ") :] in shown
            )
        if self.needs_confirmation:
            lines.append(self.confirm_hint())
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
                    "state": o.state if o else ("planned" if self.status in UNCONFIRMED + ("dry run",) else "not run"),
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
        from ..display.change_html import render_change_html

        return mask(render_change_html(self))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "verb": self.verb,
            "status": self.status,
            "message": self.message,
            "created": self.created,
            "notes": list(self.notes),
            "outcomes": [jsonable(o) for o in self.outcomes],
            "ran_at": self.ran_at,
            "ran_by": self.ran_by,
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


#: guard notes that only announce what the run will do (a later note says what it did)
_ANNOUNCED = ("A backup of this production database is taken before anything runs",)

#: notes written before a run, and how they read once it happened
_PAST = (("does not exist yet: it will be created", "did not exist: it was created"),)


def past_tense(note: str) -> str:
    for future, past in _PAST:
        note = note.replace(future, past)
    return note
