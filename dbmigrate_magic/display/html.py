"""HTML rendering for notebooks: summary first, coloured states, long tables collapsed."""

from __future__ import annotations

import html
from typing import Any

from .text import _cell

#: JupyterLab's theme variables (light and dark both read well), with fallbacks for exported HTML
STATE_COLOURS = {
    "applied": "var(--jp-success-color1,#1a7f37)",
    "pending": "var(--jp-warn-color1,#9a6700)",
    "failed": "var(--jp-error-color1,#cf222e)",
    "modified": "var(--jp-warn-color0,#bc4c00)",
    "missing": "var(--jp-info-color0,#8250df)",
    "rolled_back": "var(--jp-ui-font-color2,#57606a)",
    "skipped": "var(--jp-warn-color0,#bc4c00)",
    "unknown": "var(--jp-ui-font-color2,#57606a)",
    "error": "var(--jp-error-color1,#cf222e)",
    "warning": "var(--jp-warn-color1,#9a6700)",
    "info": "var(--jp-info-color1,#0969da)",
    "planned": "var(--jp-ui-font-color2,#57606a)",
    "not run": "var(--jp-ui-font-color2,#57606a)",
}
HEAD_ROWS = 25
TAIL_ROWS = 25


def _row_html(row: dict[str, Any], cols: list[str], state_col: str | None) -> str:
    tds = []
    for c in cols:
        text = html.escape(_cell(row.get(c)))
        if c == "production" and row.get(c) is True:  # a production environment stands out wherever it is listed
            text = f'<span style="color:{STATE_COLOURS["failed"]};font-weight:700">production</span>'
        elif c == state_col and row.get(c) in STATE_COLOURS:
            colour = STATE_COLOURS[row[c]]
            text = f'<span style="color:{colour};font-weight:600">{text}</span>'
        tds.append(f"<td style='text-align:left'>{text}</td>")
    return "<tr>" + "".join(tds) + "</tr>"


def table_html(rows: list[dict[str, Any]], cols: list[str], state_col: str | None = None) -> str:
    head = "<tr>" + "".join(f"<th style='text-align:left'>{html.escape(c)}</th>" for c in cols) + "</tr>"
    if len(rows) <= HEAD_ROWS + TAIL_ROWS:
        body = "".join(_row_html(r, cols, state_col) for r in rows)
        return f"<table style='text-align:left'>{head}{body}</table>"
    first = "".join(_row_html(r, cols, state_col) for r in rows[:HEAD_ROWS])
    last = "".join(_row_html(r, cols, state_col) for r in rows[-TAIL_ROWS:])
    middle = rows[HEAD_ROWS:-TAIL_ROWS]
    # The middle is collapsed; ``to_frame()`` holds every row.
    hidden = (
        f"<tr><td colspan='{len(cols)}'><details><summary>{len(middle)} more rows</summary>"
        f"<table>{''.join(_row_html(r, cols, state_col) for r in middle[:500])}</table>"
        + (f"<p>... and {len(middle) - 500} more: use <code>.to_frame()</code></p>" if len(middle) > 500 else "")
        + "</details></td></tr>"
    )
    return f"<table>{head}{first}{hidden}{last}</table>"


def render_html(result) -> str:
    title = html.escape(getattr(result, "title", type(result).__name__))
    summary = "".join(f"<div>{html.escape(line)}</div>" for line in result.summary_lines())
    rows = result.table()
    table = ""
    if rows is not None:
        cols = result.columns() or (list(rows[0].keys()) if rows else [])
        table = table_html(rows, cols, result.state_column) if rows else "<div><em>(no rows)</em></div>"
    return f"<div class='dbm-result'><strong>{title}</strong>{summary}{table}</div>"
