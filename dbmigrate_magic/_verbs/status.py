"""``status``: every migration on disk or in the tracking table, with its state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, overload

from ..adapters.base import STATES, History, MigrationRow
from ..context import Context, resolve_context
from ..errors import ConnectionFailed
from ..results import Result

STANDARD_COLUMNS = ["migration", "file", "state", "applied_at", "checksum_ok"]
NEEDS_ATTENTION = ("pending", "failed", "modified", "missing", "skipped", "unknown")


@dataclass(frozen=True, repr=False)
class StatusResult(Result):
    title: ClassVar[str] = "dbm status"
    state_column: ClassVar[str | None] = "state"

    tool: str
    environment: str | None
    database: str | None  # masked URL
    tracking_table: str
    table_exists: bool
    rows: tuple[MigrationRow, ...]
    current: str | None
    position: str  # up to date, behind, ahead, diverged, unknown
    counts: dict[str, int]
    notes: tuple[str, ...] = ()
    error: str | None = None
    extra_columns: tuple[str, ...] = ()
    production: bool = False

    attention: ClassVar[str | None] = "anything is pending, failed, modified or missing"  # what --exit-code reports

    @property
    def needs_attention(self) -> bool:
        return any(self.counts.get(s) for s in ("pending", "failed", "modified", "missing", "skipped"))

    @property
    def summary(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "current": self.current,
            "position": self.position,
            "table": self.tracking_table,
            "table_exists": self.table_exists,
            "environment": self.environment,
            "database": self.database,
            "error": self.error,
            "notes": list(self.notes),
        }

    def exit_code(self, *, report_attention: bool = False) -> int:
        """2 when the database could not be read: a CI gate must not pass with the database down
        (every migration is ``unknown`` then, and nothing can be said to be up to date)."""
        return 2 if self.error else super().exit_code(report_attention=report_attention)

    def summary_lines(self) -> list[str]:
        counts = ", ".join(f"{n} {s}" for s, n in self.counts.items() if n) or "no migrations"
        head = f"{self.tool}: {counts}; current: {self.current or '-'}; database is {self.position}"
        lines = [head]
        if self.environment:
            lines.append(f"Environment: {self.environment} ({self.database})")
        if self.error:
            lines.append("Error: " + " ".join(self.error.split()))  # one line, whatever the driver wrote
        elif not self.table_exists:
            lines.append(f"The tracking table {self.tracking_table} does not exist yet: nothing has been applied.")
        lines.extend(f"Note: {n}" for n in self.notes)
        return lines

    def columns(self) -> list[str]:
        return STANDARD_COLUMNS + list(self.extra_columns) + ["note"]

    def table(self) -> list[dict[str, Any]]:
        return [r.as_row() for r in self.rows]

    def text_table(self) -> Sequence[dict[str, Any]]:
        return _Rows(self.rows)  # the text shows 200 of 2,000 rows: only those are made

    def to_dict(self) -> dict[str, Any]:
        from ..masking import mask_obj
        from ..results import jsonable

        return mask_obj(
            {
                "tool": self.tool,
                "summary": jsonable(self.summary),
                "migrations": [jsonable(r) for r in self.table()],
            }
        )  # type: ignore[return-value]


class _Rows(Sequence[dict[str, Any]]):
    """``StatusResult.table()`` made row by row as it is read."""

    def __init__(self, rows: tuple[MigrationRow, ...]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [r.as_row() for r in self.rows[index]]
        return self.rows[index].as_row()


def position_of(counts: Counter) -> str:
    behind = counts.get("pending", 0) + counts.get("skipped", 0)
    ahead = counts.get("missing", 0)
    if counts.get("unknown"):
        return "unknown"
    if counts.get("failed") or counts.get("modified") or (behind and ahead):
        return "diverged"
    if behind:
        return "behind"
    if ahead:
        return "ahead"
    return "up to date"


def build(tool: str, env_name: str | None, db_url: str | None, history: History, error: str | None) -> StatusResult:
    counts = Counter(r.state for r in history.rows)
    ordered = {s: counts[s] for s in STATES if counts.get(s)}
    position = "unknown" if error else position_of(counts)  # unread: never "up to date"
    return StatusResult(
        tool=tool,
        environment=env_name,
        database=db_url,
        tracking_table=history.table,
        table_exists=history.table_exists,
        rows=history.rows,
        current=history.current,
        position=position,
        counts=ordered,
        notes=history.notes,
        error=error,
        extra_columns=history.extra_columns,
    )


def status(path: str | Path | None = None, env: str | None = None) -> StatusResult:
    return status_of(resolve_context(path, env))


def status_of(ctx: Context) -> StatusResult:
    """The status of the context's environment (a fleet calls this once per target)."""
    adapter = ctx.project.adapter
    environment = ctx.require_environment()
    db = ctx.database(read_only=True)  # status never creates anything, not even a SQLite file
    error = None
    try:
        history = adapter.history(db)
    except ConnectionFailed as exc:
        error = exc.what + (f" Next: {exc.next_step}" if exc.next_step else "")  # what to do, too
        history = adapter.history(None)
    finally:
        db.dispose()
    if not db.exists():
        history = History(
            history.rows,
            False,
            history.table,
            history.current,
            history.notes + ("The SQLite database file does not exist yet (it was not created).",),
            history.extra_columns,
        )
    import dataclasses

    result = build(adapter.tool, environment.name, environment.masked_url, history, error)
    return dataclasses.replace(result, production=environment.production)
