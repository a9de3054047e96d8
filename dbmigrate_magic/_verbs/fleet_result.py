"""The result of ``migrate --fleet`` / ``rollback --fleet``: the one preview, then each target's outcome.

A ``ChangeResult`` (so the CLI prompt, the notebook's Apply button and ``confirm()`` work as for one
database) whose table lists targets instead of steps; the confirmation phrase of a production
fleet is the fleet's name.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

from ..adapters.base import PlannedStep
from ..fleet.runner import TargetOutcome
from ..fleet.targets import Target
from ..masking import mask_obj
from ..results import jsonable
from .preview import UNCONFIRMED, ChangeResult


@dataclass(frozen=True)
class TargetPlan:
    """A target's steps as planned from its tracking table, or why it cannot run."""

    target: Target
    steps: tuple[PlannedStep, ...] = ()
    problem: str | None = None


@dataclass(frozen=True, repr=False)
class FleetChangeResult(ChangeResult):
    title: ClassVar[str] = "dbm --fleet"

    fleet: str = ""
    targets: tuple[TargetOutcome, ...] = ()
    seconds: float = 0.0

    @property
    def totals(self) -> dict[str, int]:
        return dict(Counter(t.state for t in self.targets))

    def failed_targets(self) -> list[str]:
        return [t.target for t in self.targets if t.state in ("failed", "refused", "blocked")]

    def prompt_text(self) -> str:
        if self.preview and self.preview.production:
            return f"Type the fleet's name ({self.fleet}) to apply, anything else cancels: "
        return "Apply to the fleet? [y/N] "

    def cancelled(self) -> ChangeResult:
        return FleetChangeResult(
            self.verb, "cancelled", self.preview, (), "Cancelled: nothing more was run.", None, self.notes,
            fleet=self.fleet, targets=self.targets,
        )  # fmt: skip

    def exit_code(self, *, report_attention: bool = False) -> int:
        return 1 if self.status in (*UNCONFIRMED, "failed", "cancelled") else 0

    def summary_lines(self) -> list[str]:
        lines = [f"{self.verb} --fleet {self.fleet}: {self.status}" + (f" - {self.message}" if self.message else "")]
        if self.targets:
            lines.append("Targets: " + ", ".join(f"{n} {s}" for s, n in self.totals.items()) + ".")
        lines.extend(f"Note: {n}" for n in self.notes)
        if self.preview is not None:
            lines.extend(self.preview.header_lines())
        return lines

    def columns(self) -> list[str]:
        return ["target", "schema", "canary", "state", "steps", "seconds", "message"]

    def table(self) -> list[dict[str, Any]]:
        return [
            {
                "target": t.target,
                "schema": t.schema,
                "canary": t.canary,
                "state": t.state,
                "steps": t.steps,
                "seconds": round(t.seconds, 3),
                "message": t.message,
            }
            for t in self.targets
        ]

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(
            fleet=self.fleet, totals=self.totals, targets=[jsonable(t) for t in self.targets], seconds=self.seconds
        )
        return mask_obj(data)  # type: ignore[return-value]
