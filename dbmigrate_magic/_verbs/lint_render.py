"""Text and HTML of a lint result with repeated findings grouped: one entry per rule (and file),
with the count and every location, so twenty ``prefer-robust-stmts`` read as one decision.
``--format json`` / ``to_frame()`` keep one row per finding."""

from __future__ import annotations

import html
from collections.abc import Iterable

from ..safety.lint import Finding


def grouped(findings: Iterable[Finding]) -> list[list[Finding]]:
    """Findings grouped by (file, rule), in order of each group's first finding."""
    groups: dict[tuple[str | None, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.file, f.rule), []).append(f)
    return list(groups.values())


SHOWN = 20  # locations listed per group; the rest are counted


def _some(items: list[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


def _where(f: Finding) -> str:
    return f"{f.file + ':' if f.file else ''}{f.line}:{f.column}"


def text(findings: Iterable[Finding]) -> list[str]:
    out: list[str] = []
    for group in grouped(findings):
        f = group[0]
        if len(group) == 1:
            out.append(f"{_where(f)}: {f.severity}[{f.rule}]")
        else:
            lines = _some([str(g.line) for g in group])
            out.append(f"{f.file + ': ' if f.file else ''}{f.severity}[{f.rule}] x{len(group)} at lines {lines}")
        out.append("  " + f.statement.replace("\n", "\n  "))
        out.append(f"  why:  {f.message}")
        out.append("  safe: " + f.help.replace("\n", "\n        "))
        if len(group) > 1:
            out.append("  (shown for the first; each statement's own safe SQL: --format json)")
        out.append("")
    return out


def html_table(findings: Iterable[Finding]) -> str:
    rows = []
    for group in grouped(findings):
        f = group[0]
        cells = [
            f.severity,
            f.rule,
            str(len(group)),
            _some([_where(g) for g in group]),
            f.message,
            f.help,
        ]
        tds = "".join(f"<td style='text-align:left;white-space:pre-wrap'>{html.escape(c)}</td>" for c in cells)
        rows.append(f"<tr class='dbm-{html.escape(f.severity)}'>{tds}</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("severity", "rule", "count", "where", "why", "safe alternative"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
