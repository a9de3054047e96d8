"""``status --fleet``: one matrix (targets x migrations, the state in each) and a summary per target.

Each target's row is its own ``status`` (the tracking table read by the tool's adapter), so the
matrix says exactly what ``dbm status --env TARGET`` would say, target by target.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..masking import mask, mask_obj
from ..results import Result
from .status import status_of

if TYPE_CHECKING:  # the fleet machinery (threads, process pools) is imported when a fleet is read:
    # ``dbm status`` declares its options from this result class and must not pay for it
    from ..fleet.targets import Fleet, Target

#: a target's summary, worst first (what the fleet's summary line counts)
SUMMARY_ORDER = ("unreachable", "failed", "diverged", "behind", "ahead", "unknown", "up to date")


@dataclass(frozen=True)
class TargetStatus:
    target: str
    schema: str | None
    database: str | None  # masked URL
    summary: str  # up to date, behind, ahead, failed, diverged, unreachable
    states: dict[str, str]  # migration -> state
    counts: dict[str, int]
    current: str | None
    error: str | None = None


@dataclass(frozen=True, repr=False)
class FleetStatusResult(Result):
    title: ClassVar[str] = "dbm status --fleet"
    attention: ClassVar[str | None] = "a target is not up to date"

    fleet: str
    tool: str
    migrations: tuple[str, ...]
    targets: tuple[TargetStatus, ...]
    seconds: float = 0.0

    @property
    def needs_attention(self) -> bool:
        return any(t.summary != "up to date" for t in self.targets)

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(t.summary for t in self.targets)
        return {s: counts[s] for s in SUMMARY_ORDER if counts.get(s)}

    def target(self, name: str) -> TargetStatus:
        return next(t for t in self.targets if t.target == name)

    def exit_code(self, *, report_attention: bool = False) -> int:
        """2 when a target could not be read (as ``status``), else 1 with ``--exit-code`` when one is behind."""
        if any(t.error for t in self.targets):
            return 2
        return super().exit_code(report_attention=report_attention)

    def summary_lines(self) -> list[str]:
        totals = ", ".join(f"{n} {s}" for s, n in self.totals.items())
        lines = [f"Fleet {self.fleet} ({self.tool}): {len(self.targets)} targets: {totals}."]
        for t in self.targets:
            if t.error:
                lines.append(f"{t.target}: {' '.join(t.error.split())}")
        return lines

    def columns(self) -> list[str]:
        return ["target", "schema", "summary", "current", *self.migrations]

    def table(self) -> list[dict[str, Any]]:
        return [
            {
                "target": t.target,
                "schema": t.schema,
                "summary": t.summary,
                "current": t.current,
                **{m: t.states.get(m, "-") for m in self.migrations},
            }
            for t in self.targets
        ]

    def to_dict(self) -> dict[str, Any]:
        return mask_obj(
            {
                "fleet": self.fleet,
                "tool": self.tool,
                "totals": self.totals,
                "migrations": list(self.migrations),
                "targets": [
                    {
                        "target": t.target,
                        "schema": t.schema,
                        "database": t.database,
                        "summary": t.summary,
                        "current": t.current,
                        "counts": t.counts,
                        "states": t.states,
                        "error": t.error,
                    }
                    for t in self.targets
                ],
            }
        )  # type: ignore[return-value]


def summary_of(position: str, counts: dict[str, int], error: str | None) -> str:
    if error:
        return "unreachable"
    if counts.get("failed"):
        return "failed"
    return position


def read_target(fleet: Fleet, target: Target) -> TargetStatus:
    """One target's status; a target that cannot be read is ``unreachable`` with the reason (masked)."""
    from ..errors import DbmError
    from ..fleet.targets import require_tenant_schema

    try:
        ctx = fleet.context(target)
        st = status_of(ctx)
        if target.schema and not st.counts.get("applied"):  # nothing applied: is the schema there at all?
            db = ctx.database(read_only=True)
            try:
                require_tenant_schema(db)
            finally:
                db.dispose()
    except DbmError as exc:
        return TargetStatus(
            target.name, target.schema, target.environment.masked_url, "unreachable", {}, {}, None, exc.message
        )
    except Exception as exc:  # a driver's surprise must not hide the other targets
        return TargetStatus(
            target.name,
            target.schema,
            target.environment.masked_url,
            "unreachable",
            {},
            {},
            None,
            mask(f"{type(exc).__name__}: {exc}"),
        )
    states = {r.migration: r.state for r in st.rows}
    return TargetStatus(
        target.name,
        target.schema,
        st.database,
        summary_of(st.position, st.counts, st.error),
        states,
        dict(st.counts),
        st.current,
        st.error,
    )


def read_fleet(fleet: Fleet, parallel: int) -> tuple[TargetStatus, ...]:
    """Every target's status, ``parallel`` at a time, in the fleet's order."""
    from ..fleet.runner import TargetOutcome, run_targets

    found: dict[str, TargetStatus] = {}

    def work(target: Target) -> TargetOutcome:
        found[target.name] = read_target(fleet, target)
        return TargetOutcome(target.name, "read")

    threads = type(fleet.project.adapter).thread_safe  # no tool found: ProjectError, as `status` says
    run_targets(fleet.targets, work, parallel=parallel if threads else 1, keep_going=True, name=lambda t: t.name)
    return tuple(found[t.name] for t in fleet.targets)


def matrix_columns(statuses: tuple[TargetStatus, ...]) -> tuple[str, ...]:
    """Every migration a target's status lists (files and tracking rows), in the order first listed."""
    seen: dict[str, None] = {}
    for st in statuses:
        seen.update(dict.fromkeys(st.states))
    return tuple(seen)


def fleet_status(fleet_file: str | Path | None, path: str | Path | None = None, parallel: int = 4) -> FleetStatusResult:
    from ..fleet.targets import load_fleet

    t0 = time.perf_counter()
    fleet = load_fleet(fleet_file, path)
    statuses = read_fleet(fleet, parallel)
    tool = fleet.project.tool or "-"
    return FleetStatusResult(
        fleet.spec.name, tool, matrix_columns(statuses), statuses, round(time.perf_counter() - t0, 3)
    )
