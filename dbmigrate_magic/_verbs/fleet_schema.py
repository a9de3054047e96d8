"""``drift --fleet``, ``diff --fleet`` and ``lint --pending --fleet``: the one-database verbs, per target.

drift: each target against what its own applied migrations produce; diff: each target against one
reference (``--from``, default the first target), so a tenant that was changed by hand stands out;
lint: the pending migrations of the target furthest behind (the SQL is the same for every target).
Schema comparisons need one schema per database: a target that is a PostgreSQL schema would be
compared with another schema's names, so drift and diff refuse schema targets and say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..errors import DbmError, UnsupportedOperation
from ..fleet.runner import TargetOutcome, run_targets
from ..fleet.targets import Fleet, Target, load_fleet
from ..masking import mask
from ..results import Result


@dataclass(frozen=True)
class SchemaRow:
    target: str
    state: str  # in sync, drifted, differs, error
    changes: int
    summary: str


@dataclass(frozen=True, repr=False)
class FleetSchemaResult(Result):
    title: ClassVar[str] = "dbm --fleet (schemas)"
    state_column: ClassVar[str | None] = "state"
    attention: ClassVar[str | None] = "a target differs"

    verb: str
    fleet: str
    reference: str | None
    rows: tuple[SchemaRow, ...]

    @property
    def needs_attention(self) -> bool:
        return any(r.state != "in sync" for r in self.rows)

    def exit_code(self, *, report_attention: bool = False) -> int:
        if any(r.state == "error" for r in self.rows):
            return 2
        return super().exit_code(report_attention=report_attention)

    def summary_lines(self) -> list[str]:
        counts: dict[str, int] = {}
        for r in self.rows:
            counts[r.state] = counts.get(r.state, 0) + 1
        against = f" against {self.reference}" if self.reference else ""
        told = ", ".join(f"{n} {s}" for s, n in counts.items())
        return [f"{self.verb} --fleet {self.fleet}{against}: {len(self.rows)} targets: {told}."]

    def columns(self) -> list[str]:
        return ["target", "state", "changes", "summary"]

    def table(self) -> list[dict[str, Any]]:
        return [{"target": r.target, "state": r.state, "changes": r.changes, "summary": r.summary} for r in self.rows]


def _database_targets(fleet: Fleet, verb: str) -> None:
    schema_targets = [t.name for t in fleet.targets if t.environment.schema and t.lock_scope]
    if schema_targets:
        raise UnsupportedOperation(
            f"{verb} --fleet compares whole databases; these targets are PostgreSQL schemas: "
            f"{', '.join(schema_targets[:5])}{' ...' if len(schema_targets) > 5 else ''}.",
            next_step=f"Run `dbm {verb}` on one tenant's schema at a time, or use `dbm status --fleet` to see "
            "which migrations each schema has.",
        )


def _each(fleet: Fleet, parallel: int, one) -> tuple[SchemaRow, ...]:
    found: dict[str, SchemaRow] = {}

    def work(target: Target) -> TargetOutcome:
        try:
            found[target.name] = one(target)
        except DbmError as exc:
            found[target.name] = SchemaRow(target.name, "error", 0, exc.message)
        except Exception as exc:
            found[target.name] = SchemaRow(target.name, "error", 0, mask(f"{type(exc).__name__}: {exc}"))
        return TargetOutcome(target.name, "read")

    run_targets(fleet.targets, work, parallel=parallel, keep_going=True, name=lambda t: t.name)
    return tuple(found[t.name] for t in fleet.targets)


def fleet_drift(fleet_file: str | Path | None, project: str | Path | None, parallel: int) -> FleetSchemaResult:
    from .drift import drift

    fleet = load_fleet(fleet_file, project)
    _database_targets(fleet, "drift")

    def one(target: Target) -> SchemaRow:
        r = drift(fleet.project.root, target.environment.url)
        return SchemaRow(target.name, "in sync" if r.is_empty else "drifted", len(r.changes), r.summary_line())

    return FleetSchemaResult("drift", fleet.spec.name, None, _each(fleet, parallel, one))


def fleet_diff(
    fleet_file: str | Path | None, project: str | Path | None, source: str | None, parallel: int
) -> FleetSchemaResult:
    from .diff import diff

    fleet = load_fleet(fleet_file, project)
    _database_targets(fleet, "diff")
    # --from names a target of the fleet, else an environment or a URL (as for `dbm diff`)
    named = next((t for t in fleet.targets if t.name == source), None) if source else fleet.targets[0]
    reference = named.environment.url or "" if named else source or ""
    label = named.name if named else mask(source)

    def one(target: Target) -> SchemaRow:
        r = diff(reference, target.environment.url or "", project=fleet.project.root)
        return SchemaRow(target.name, "in sync" if r.is_empty else "differs", len(r.changes), r.summary_line())

    return FleetSchemaResult("diff", fleet.spec.name, label, _each(fleet, parallel, one))


def fleet_lint_env(fleet_file: str | Path | None, project: str | Path | None) -> str:
    """The URL of the target with the most pending migrations (what ``lint --pending`` lints)."""
    from .fleet_change import Options, plan_fleet

    fleet = load_fleet(fleet_file, project)
    plans = plan_fleet(fleet, Options("migrate", None, None, True, False, 0, 4, True))
    behind = max(plans, key=lambda p: len(p.steps))
    return behind.target.environment.url or ""
