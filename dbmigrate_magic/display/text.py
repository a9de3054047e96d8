"""Plain-text rendering of results, used by the CLI and by ``repr`` in terminals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MAX_TEXT_ROWS = 200
#: a column wider than this is cut, and the cut is shown (a database name cut silently reads as another)
MAX_TEXT_WIDTH = 60


def _fit(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="seconds") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def format_table(
    rows: Sequence[dict[str, Any]], columns: list[str] | None = None, max_rows: int = MAX_TEXT_ROWS
) -> str:
    """A fixed-width table; very long tables show the head and tail with a count between."""
    if not rows:
        return "(no rows)"
    cols = columns or list(rows[0].keys())
    shown = rows
    hidden = 0
    if len(rows) > max_rows:
        half = max_rows // 2
        shown = [*rows[:half], *rows[-half:]]
        hidden = len(rows) - len(shown)
    cells = [[_cell(r.get(c)).replace("\n", " ") for c in cols] for r in shown]
    widths = [min(MAX_TEXT_WIDTH, max([len(c)] + [len(row[i]) for row in cells])) for i, c in enumerate(cols)]
    line = lambda vals: "  ".join(_fit(v, w).ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line(cols), line(["-" * w for w in widths])]
    for i, row in enumerate(cells):
        if hidden and i == len(cells) // 2:
            out.append(f"... {hidden} more rows (use --format json or .to_frame() for all) ...")
        out.append(line(row))
    return "\n".join(out)


def render_text(result) -> str:
    parts = [line for line in result.summary_lines()]
    rows = result.text_table()
    if rows is not None:
        parts.append(format_table(rows, result.columns()))
    return "\n".join(parts) if parts else type(result).__name__
