"""``status --envs dev,staging,production``: one matrix (migrations x environments, the state in
each) and a timeline of applied migrations per environment.

In a notebook the timeline is a picture (an SVG drawn here: no plotting library needed, it scales,
follows the theme's text colour and survives export); in a terminal it is a table in time order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..results import Result
from .status import StatusResult


@dataclass(frozen=True, repr=False)
class StatusMatrix(Result):
    title: ClassVar[str] = "dbm status"
    state_column: ClassVar[str | None] = None
    attention: ClassVar[str | None] = "any environment has a migration pending, failed, modified or missing"

    statuses: tuple[StatusResult, ...]

    @property
    def envs(self) -> list[str]:
        return [s.environment or "?" for s in self.statuses]

    @property
    def needs_attention(self) -> bool:
        return any(s.needs_attention for s in self.statuses)

    def exit_code(self, *, report_attention: bool = False) -> int:
        if any(s.error for s in self.statuses):
            return 2  # a database that could not be read is never "up to date" in a gate
        return super().exit_code(report_attention=report_attention)

    def migrations(self) -> list[str]:
        """Every migration in any environment, in the order the files (then the records) give."""
        seen: dict[str, None] = {}
        for s in self.statuses:
            for r in s.rows:
                seen.setdefault(r.migration, None)
        return list(seen)

    def columns(self) -> list[str]:
        return ["migration", *self.envs]

    def table(self) -> list[dict[str, Any]]:
        by_env = [{r.migration: r.state for r in s.rows} for s in self.statuses]
        return [
            {"migration": m, **{env: states.get(m, "-") for env, states in zip(self.envs, by_env)}}
            for m in self.migrations()
        ]

    def timeline(self) -> list[dict[str, Any]]:
        """Applied migrations with their time, oldest first, one row per (environment, migration)."""
        rows = [
            {"environment": s.environment, "migration": r.migration, "applied_at": r.applied_at}
            for s in self.statuses
            for r in s.rows
            if r.applied_at is not None and r.state in ("applied", "modified")
        ]
        return sorted(rows, key=lambda r: r["applied_at"])

    def summary_lines(self) -> list[str]:
        lines = [f"{len(self.migrations())} migration(s) in {len(self.statuses)} environment(s)"]
        for s in self.statuses:
            counts = ", ".join(f"{n} {st}" for st, n in s.counts.items() if n) or "no migrations"
            prod = " (production)" if s.production else ""
            lines.append(f"{s.environment}{prod}: {counts}; database is {s.position} ({s.database})")
            if s.error:
                lines.append(f"  Error: {' '.join(s.error.split())}")
        return lines

    def to_text(self) -> str:
        from ..display.text import format_table
        from ..masking import mask

        parts = [*self.summary_lines(), "", format_table(self.table(), self.columns())]
        timeline = self.timeline()
        if timeline:
            parts += ["", "Applied, oldest first:", format_table(timeline, ["applied_at", "environment", "migration"])]
        return mask("\n".join(parts))

    def _repr_html_(self) -> str:
        from ..display.status_html import render_matrix_html
        from ..masking import mask

        return mask(render_matrix_html(self))

    def to_dict(self) -> dict[str, Any]:
        from ..masking import mask_obj
        from ..results import jsonable

        return mask_obj(
            {
                "environments": {s.environment: s.to_dict() for s in self.statuses},
                "matrix": jsonable(self.table()),
                "timeline": jsonable(self.timeline()),
            }
        )  # type: ignore[return-value]


def status_matrix(path, envs: list[str]) -> StatusMatrix:
    from .status import status

    return StatusMatrix(tuple(status(path, env) for env in envs))
