"""``lint --rules``: the rule catalogue as a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..results import Result


@dataclass(frozen=True, repr=False)
class RulesResult(Result):
    title: ClassVar[str] = "dbm lint --rules"
    state_column: ClassVar[str | None] = "severity"
    rows: tuple[dict[str, Any], ...]

    def summary_lines(self) -> list[str]:
        return [f"{len(self.rows)} rules (squawk = same id as the squawk rule)."]

    def columns(self) -> list[str]:
        return ["rule", "severity", "dialects", "squawk", "summary"]

    def table(self) -> list[dict[str, Any]]:
        return list(self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {"rules": list(self.rows)}


def rules() -> RulesResult:
    from ..safety.lint import all_rules

    rows = [
        {
            "rule": r.id,
            "severity": r.severity,
            "dialects": ",".join(r.dialects),
            "squawk": r.squawk,
            "summary": r.summary,
        }
        for r in sorted(all_rules().values(), key=lambda r: (r.dialects, r.id))
    ]
    return RulesResult(tuple(rows))
