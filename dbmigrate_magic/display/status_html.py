"""HTML for ``status --envs``: the matrix (a coloured state per migration and environment,
production's column marked red) and an SVG timeline of applied migrations, one lane per environment.

The SVG is drawn here rather than with a plotting library: it needs nothing installed, scales with
the page, takes the theme's colours, and stays a picture in exported HTML.
"""

from __future__ import annotations

import html

from .change_html import MUTED, MUTED_COLOUR, RED, badge
from .html import STATE_COLOURS

LANE = 26
LEFT = 110
WIDTH = 640
#: lane colours (theme variables with fallbacks): one per environment
LANE_COLOURS = (
    "var(--jp-brand-color1,#1976d2)",
    "var(--jp-warn-color1,#f57c00)",
    "var(--jp-error-color1,#d32f2f)",
    "var(--jp-success-color1,#388e3c)",
)


def esc(x) -> str:
    return html.escape("" if x is None else str(x))


def matrix_html(result) -> str:
    heads = []
    for s in result.statuses:
        name = esc(s.environment)
        heads.append(
            f"<th style='text-align:center;color:{RED}'>{name}"
            + ("" if "prod" in (s.environment or "") else "<br><small>production</small>")
            + "</th>"
            if s.production
            else f"<th style='text-align:center'>{name}</th>"
        )
    rows = []
    for row in result.table():
        cells = []
        for env in result.envs:
            state = row[env]
            colour = STATE_COLOURS.get(state, MUTED_COLOUR)
            cells.append(f"<td style='text-align:center;color:{colour};font-weight:600'>{esc(state)}</td>")
        rows.append(f"<tr><td style='text-align:left'><code>{esc(row['migration'])}</code></td>{''.join(cells)}</tr>")
    return (
        f"<table><tr><th style='text-align:left'>migration</th>{''.join(heads)}</tr>{''.join(rows)}</table>"
        if rows
        else "<div><em>(no migrations)</em></div>"
    )


def timeline_svg(result) -> str:
    points = result.timeline()
    if not points:
        return ""
    times = [p["applied_at"].timestamp() for p in points]
    lo, hi = min(times), max(times)
    span = (hi - lo) or 1.0
    envs = result.envs
    height = LANE * len(envs) + 30
    x = lambda t: LEFT + (t - lo) / span * (WIDTH - LEFT - 20)  # noqa: E731
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' role='img' "
        f"aria-label='applied migrations over time' style='font-size:12px;fill:currentColor'>"
    ]
    for i, env in enumerate(envs):
        y = 14 + i * LANE
        colour = LANE_COLOURS[i % len(LANE_COLOURS)]
        parts.append(f"<text x='4' y='{y + 4}'>{esc(env)}</text>")
        parts.append(f"<line x1='{LEFT}' x2='{WIDTH - 20}' y1='{y}' y2='{y}' style='stroke:{colour};opacity:0.35'/>")
        for p, t in zip(points, times):
            if p["environment"] == env:
                when = p["applied_at"].strftime("%Y-%m-%d %H:%M:%S UTC")
                parts.append(
                    f"<circle cx='{x(t):.1f}' cy='{y}' r='5' style='fill:{colour}'>"
                    f"<title>{esc(p['migration'])} - {esc(env)}, {when}</title></circle>"
                )
    base = 14 + len(envs) * LANE
    first = points[0]["applied_at"].strftime("%Y-%m-%d %H:%M")
    last = points[-1]["applied_at"].strftime("%Y-%m-%d %H:%M")
    parts.append(f"<text x='{LEFT}' y='{base}' style='opacity:0.7'>{first}</text>")
    parts.append(f"<text x='{WIDTH - 20}' y='{base}' text-anchor='end' style='opacity:0.7'>{last}</text>")
    parts.append("</svg>")
    return "".join(parts)


def render_matrix_html(result) -> str:
    heads = [f"<b>status</b> <span style='{MUTED}'>{esc(result.summary_lines()[0])}</span>"]
    for s in result.statuses:
        counts = ", ".join(f"{n} {st}" for st, n in s.counts.items() if n) or "no migrations"
        tag = badge(f"{s.environment}", RED, solid=True) if s.production else badge(f"{s.environment}", MUTED_COLOUR)
        line = f"{tag} <span style='{MUTED}'>{esc(counts)}; database is {esc(s.position)} ({esc(s.database)})</span>"
        if s.error:
            line += f"<div style='color:{RED}'>{esc(' '.join(s.error.split()))}</div>"
        heads.append(f"<div>{line}</div>")
    svg = timeline_svg(result)
    timeline = f"<div style='margin-top:6px'><b>Applied over time</b><br>{svg}</div>" if svg else ""
    return f"<div class='dbm-result' style='text-align:left'>{''.join(heads)}{matrix_html(result)}{timeline}</div>"
