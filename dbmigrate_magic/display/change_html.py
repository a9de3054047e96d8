"""The one look of a change's result (migrate, rollback, resolve, baseline), in HTML.

Header line first (verb, target environment - production in red -, status, counts), then what
happened (when, by whom, where, the backup), the notes once, lint findings as one table grouped by
rule, the steps, and the SQL highlighted and collapsed past a few lines. Colours are JupyterLab's
theme variables with fallbacks, so the light and the dark theme both read well, and exported HTML
(no JupyterLab stylesheet) still shows monospace SQL.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from .html import STATE_COLOURS, table_html

MONO = "font-family:var(--jp-code-font-family,SFMono-Regular,Menlo,Consolas,monospace);font-size:0.92em"
#: a muted colour (a value, for badges and state cells) and the style that applies it to text
MUTED_COLOUR = "var(--jp-ui-font-color2,#616161)"
MUTED = f"color:{MUTED_COLOUR}"
BORDER = "var(--jp-border-color2,#d0d7de)"
RED = "var(--jp-error-color1,#cf222e)"
#: SQL longer than this many lines starts collapsed
SQL_OPEN_LINES = 12
#: previews with more steps than this repeat the confirm hint (and the buttons) above the SQL
LONG_PREVIEW_STEPS = 8


def esc(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def badge(text: str, colour: str, solid: bool = False) -> str:
    style = (
        f"background:{colour};color:#fff" if solid else f"color:{colour};border:1px solid {colour}"
    ) + ";border-radius:3px;padding:0 5px;font-weight:600;white-space:nowrap"
    return f"<span style='{style}'>{esc(text)}</span>"


#: token kinds -> JupyterLab's editor colours (the theme's own, light or dark), with fallbacks for exported HTML
TOKEN_STYLES = (
    ("Comment", "color:var(--jp-mirror-editor-comment-color,#408080);font-style:italic"),
    ("Keyword", "color:var(--jp-mirror-editor-keyword-color,#008000);font-weight:bold"),
    ("Literal.String", "color:var(--jp-mirror-editor-string-color,#ba2121)"),
    ("Literal.Number", "color:var(--jp-mirror-editor-number-color,#080)"),
    ("Name.Builtin", "color:var(--jp-mirror-editor-builtin-color,#008000)"),
    ("Operator", "color:var(--jp-mirror-editor-operator-color,#aa22ff)"),
)


def highlight_sql(sql: str) -> str:
    """Pygments' SQL tokens as spans styled inline with the theme's editor colours, in a monospace block
    (exported HTML has no stylesheet, so styles are inline)."""
    try:
        from pygments.lexers import SqlLexer

        spans = []
        for kind, text in SqlLexer().get_tokens(sql):
            name = str(kind).removeprefix("Token.")
            style = next((st for prefix, st in TOKEN_STYLES if name.startswith(prefix)), None)
            spans.append(f"<span style='{style}'>{esc(text)}</span>" if style else esc(text))
        body = "".join(spans).rstrip("\n")
    except Exception:  # pygments missing or failing: plain, still monospace
        body = esc(sql)
    return f"<pre style='{MONO};white-space:pre-wrap;margin:4px 0;text-align:left'>{body}</pre>"


def sql_block(title: str, sql: str) -> str:
    from ..masking import mask

    sql = mask(sql)  # before highlighting splits a URL into tokens the mask would no longer see whole
    lines = sql.count("\n") + 1
    opened = " open" if lines <= SQL_OPEN_LINES else ""
    return f"<details{opened}><summary>{esc(title)} ({lines} lines)</summary>{highlight_sql(sql)}</details>"


def findings_table(findings) -> str:
    """One row per lint rule: severity, count, where, a one-line why; the fix behind a toggle."""
    if not findings:
        return ""
    groups: dict[str, list] = {}
    for f in findings:
        groups.setdefault(f.rule, []).append(f)
    rows = []
    for rule, items in groups.items():
        first = items[0]
        where = ", ".join(
            dict.fromkeys(f"{f.migration}{':' + str(f.line) if f.line else ''}" for f in items if f.migration)
        )
        colour = STATE_COLOURS.get(first.severity, MUTED_COLOUR)
        why = esc(first.message.split("\n")[0])
        fix = f"<details><summary>fix</summary>{esc(first.help)}</details>" if first.help else ""
        rows.append(
            f"<tr><td style='text-align:left'><span style='color:{colour};font-weight:600'>{esc(first.severity)}"
            f"</span></td><td style='text-align:left'><code>{esc(rule)}</code></td><td>{len(items)}</td>"
            f"<td style='text-align:left'>{esc(where)}</td><td style='text-align:left'>{why}{fix}</td></tr>"
        )
    head = "".join(f"<th style='text-align:left'>{h}</th>" for h in ("severity", "rule", "count", "where", "why"))
    return f"<div style='margin-top:4px'><b>Lint</b><table><tr>{head}</tr>{''.join(rows)}</table></div>"


def counts(rows: list[dict[str, Any]]) -> str:
    c = Counter(r["state"] for r in rows)
    return f"{len(rows)} step(s): " + ", ".join(f"{n} {s}" for s, n in c.items()) if rows else "no steps"


def shown_columns(rows: list[dict[str, Any]]) -> list[str]:
    """The step table's columns worth a reader's width: no all-empty ones, ``file`` only where it
    says more than the migration's name, ``transactional`` only where the steps differ."""
    if rows and "migration" not in rows[0]:  # rows that are not steps (a fleet's targets): their own columns
        return [c for c in rows[0] if any(r.get(c) not in (None, "") for r in rows)]
    cols = ["migration", "direction", "state", "seconds", "statements_run", "error"]
    if any(r["file"] and not str(r["file"]).endswith(str(r["migration"])) for r in rows):
        cols.insert(1, "file")
    if len({r["transactional"] for r in rows}) > 1:
        cols.insert(-3, "transactional")
    return [c for c in cols if c in ("migration", "state") or any(r.get(c) not in (None, "") for r in rows)]


def render_change_html(result) -> str:
    p = result.preview
    rows = result.table() or []
    colour = STATE_COLOURS.get(result.status_colour, MUTED_COLOUR)
    head = [f"<b>{esc(result.verb)}</b>"]
    if p is not None:
        env = f"{p.environment} (production)" if p.production and "prod" not in p.environment else p.environment
        head.append(badge(env, RED, solid=True) if p.production else badge(env, MUTED_COLOUR))
    head.append(badge(result.status, colour))
    head.append(f"<span style='{MUTED}'>{esc(counts(rows))}</span>")
    parts = [" ".join(head)]
    if result.message:
        parts.append(f"<div style='margin-top:2px;white-space:pre-wrap'>{esc(result.message)}</div>")
    record = result.record_lines()
    if not record and p is not None:
        record = p.header_lines(notes=False)[: 2 if p.steps else 1]  # where, and how the steps run
    for line in record:
        parts.append(f"<div style='{MUTED}'>{esc(line)}</div>")
    notes = result.all_notes()
    if p is not None:
        guard = [f"Guard: {g}" for g in result.guard_notes()]
        notes = [*guard, *notes, *(f"Blocked: {b}" for b in p.blocking)]
    if notes:
        parts.append(
            "<ul style='margin:2px 0;padding-left:1.2em'>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"
        )
    long_preview = p is not None and len(p.steps) > LONG_PREVIEW_STEPS
    if result.needs_confirmation and long_preview:
        parts.append(f"<div><b>{esc(result.confirm_hint())}</b></div>")
    if p is not None:
        parts.append(findings_table(p.findings))
    if rows:
        parts.append(table_html(rows, shown_columns(rows), result.state_column))
    if p is not None and p.steps:
        parts.append(sql_block(f"SQL of {len(p.steps)} step(s)", p.sql_text()))
    if result.needs_confirmation:
        parts.append(f"<div><b>{esc(result.confirm_hint())}</b></div>")
    style = f"border-left:3px solid {RED if p is not None and p.production else BORDER};padding-left:8px"
    return f"<div class='dbm-result' style='{style};text-align:left'>{''.join(parts)}</div>"
