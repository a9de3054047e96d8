"""The seed verb's result: per-table counts (inserted / updated / unchanged / deleted), the scripts
and tool seeds run, the SQL, and while unconfirmed a way to run the same seed later."""

from __future__ import annotations

import html as _html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..change import Preview
from ..masking import mask, mask_obj
from ..results import Result, jsonable
from ..seeding.load import ScriptRun, TableCount
from .confirmation import Confirmable

UNCONFIRMED = ("awaiting confirmation", "refused")
SHOWS_SQL = ("dry run", "awaiting confirmation", "refused")


@dataclass(frozen=True)
class NativeOutcome:
    """A tool's own seed: the command, and once run its exit status and (masked) output."""

    tool: str
    label: str
    command: str
    source: str
    state: str  # "planned", "ran", "failed"
    exit_code: int | None = None
    seconds: float | None = None
    output: str = ""


@dataclass(frozen=True, repr=False)
class SeedResult(Confirmable, Result):
    """``status``: seeded, dry run, awaiting confirmation, refused, cancelled, nothing to seed."""

    title: ClassVar[str] = "dbm seed"
    state_column: ClassVar[str | None] = "state"

    status: str
    message: str
    preview: Preview | None
    counts: tuple[TableCount, ...] = ()
    scripts: tuple[ScriptRun, ...] = ()
    native: tuple[NativeOutcome, ...] = ()
    sql: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    runner: Callable[[str | None], SeedResult] | None = field(default=None, repr=False, compare=False)

    prompt_verb: ClassVar[str] = "seed"

    def cancelled(self) -> SeedResult:
        return SeedResult("cancelled", "Cancelled: nothing was written.", self.preview, notes=self.notes)

    def display_in_notebook(self):
        if self.needs_confirmation:
            from ..display.confirm import show_confirmation

            return show_confirmation(self)
        return self

    # --- views ----------------------------------------------------------------------------------------
    def exit_code(self, *, report_attention: bool = False) -> int:
        return 1 if self.status in (*UNCONFIRMED, "failed", "cancelled") else 0

    @property
    def totals(self) -> dict[str, int]:
        names = ("rows", "inserted", "updated", "unchanged", "deleted")
        return {n: sum(getattr(c, n) for c in self.counts) for n in names}

    def summary_lines(self) -> list[str]:
        lines = [f"seed: {self.status}" + (f" - {self.message}" if self.message else "")]
        if self.counts:
            t = self.totals
            lines.append(
                f"{len(self.counts)} table(s), {t['rows']} row(s): {t['inserted']} inserted, {t['updated']} updated, "
                f"{t['unchanged']} unchanged"
                + (f", {t['deleted']} deleted" if t["deleted"] else "")
                + (" (would be: nothing was written)" if self.status in SHOWS_SQL else "")
            )
        if self.order:
            lines.append("Load order (foreign keys): " + " -> ".join(self.order))
        lines.extend(f"Note: {n}" for n in self.notes)
        if self.preview is not None:
            lines.extend(self.preview.header_lines()[:1] + [f"Guard: {n}" for n in self.preview.guard_notes])
            lines.extend(f"Blocked: {b}" for b in self.preview.blocking)
        return lines

    def columns(self) -> list[str]:
        return ["table", "source", "key", "rows", "inserted", "updated", "unchanged", "deleted", "state"]

    def table(self) -> list[dict[str, Any]]:
        done = "seeded" if self.status == "seeded" else self.status
        rows: list[dict[str, Any]] = [
            {
                "table": c.table,
                "source": c.source,
                "key": ",".join(c.key),
                "rows": c.rows,
                "inserted": c.inserted,
                "updated": c.updated,
                "unchanged": c.unchanged,
                "deleted": c.deleted,
                "state": done,
            }
            for c in self.counts
        ]
        for n in self.native:
            rows.append({"table": f"({n.tool} seed)", "source": n.source, "key": n.command, "state": _native_state(n)})
        for s in self.scripts:
            rows.append({"table": f"({s.kind} script)", "source": s.source, "state": s.state})
        return rows

    def _native_text(self) -> str:
        parts = []
        for n in self.native:
            if n.state != "planned" and n.output.strip():
                parts.append(f"--- {n.label}: exit {n.exit_code} ---\n{n.output.rstrip()}")
        return "\n\n".join(parts)

    def to_text(self) -> str:
        from ..display.text import render_text

        text = render_text(self)
        if self.native and any(n.state != "planned" for n in self.native):
            text += "\n\n" + self._native_text()
        if self.sql and self.status in SHOWS_SQL:
            text += "\n\n-- SQL (values are bound, not shown)\n" + "\n".join(self.sql)
        return mask(text)

    def _repr_html_(self) -> str:
        from ..display.html import render_html

        body = render_html(self)
        native = self._native_text()
        if native:
            body += f"<details open><summary>Tool seed output</summary><pre>{_html.escape(native)}</pre></details>"
        if self.sql:
            opened = " open" if self.status in SHOWS_SQL else ""
            body += (
                f"<details{opened}><summary>SQL ({len(self.sql)} statement(s), values bound)</summary>"
                f"<pre>{_html.escape(chr(10).join(self.sql))}</pre></details>"
            )
        return mask(body)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "verb": "seed",
            "status": self.status,
            "message": self.message,
            "tables": [jsonable(c) for c in self.counts],
            "totals": self.totals,
            "scripts": [jsonable(s) for s in self.scripts],
            "native": [jsonable(n) for n in self.native],
            "order": list(self.order),
            "notes": list(self.notes),
            "sql": list(self.sql),
        }
        if self.preview is not None:
            p = self.preview
            data["environment"] = p.environment
            data["database"] = p.database
            data["production"] = p.production
            data["guard_notes"] = list(p.guard_notes)
            data["blocking"] = list(p.blocking)
        return mask_obj(data)  # type: ignore[return-value]


def _native_state(n: NativeOutcome) -> str:
    return n.state if n.exit_code is None else f"{n.state} (exit {n.exit_code})"
