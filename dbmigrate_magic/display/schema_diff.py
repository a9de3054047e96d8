"""HTML for a schema diff: summary line, one side-by-side card per changed table (columns,
constraints and indexes; added green, removed red, changed amber), unchanged tables collapsed,
then the change table and the SQL."""

from __future__ import annotations

import html

from .html import table_html

#: translucent tints over the theme's own background (fixed pastels glare in the dark theme)
COLOURS = {"added": "rgba(46,160,67,0.18)", "removed": "rgba(248,81,73,0.18)", "changed": "rgba(210,153,34,0.2)"}
MONO = "font-family:var(--jp-code-font-family,SFMono-Regular,Menlo,Consolas,monospace)"
LEFT = "text-align:left"


def _esc(x) -> str:
    return html.escape("" if x is None else str(x))


def _items(table) -> dict[str, str]:
    """Name -> one-line description of each column, constraint and index of a table."""
    if table is None:
        return {}
    out = {}
    props = " ".join(
        filter(
            None,
            [
                table.options,
                f"WITH ({', '.join(table.storage)})" if table.storage else "",
                table.partition_by,
                table.partition_of,
                "ROW LEVEL SECURITY" if table.rls[0] else "",
                "FORCED" if table.rls[1] else "",
                _commented("", table.comment).strip(),
                *(f"GRANT {g}" for g in table.grants),
            ],
        )
    )
    if props:
        out["table"] = props
    for c in table.columns:
        desc = c.definition or " ".join(
            filter(
                None,
                [
                    c.type,
                    "" if c.nullable else "NOT NULL",
                    f"DEFAULT {c.default}" if c.default is not None else "",
                    f"GENERATED {c.identity} AS IDENTITY" if c.identity else "",
                    f"GENERATED AS ({c.generated})" if c.generated else "",
                    f"COLLATE {c.collation}" if c.collation else "",
                ],
            )
        )
        out[f"column {c.name}"] = _commented(desc, c.comment)
    for k in table.constraints:
        out[f"{k.kind} {k.name}"] = _commented(k.definition, k.comment)
    for i in table.indexes:
        out[f"index {i.name}"] = _commented(i.definition, i.comment)
    return out


def _commented(text: str, comment: str | None) -> str:
    return f"{text} -- {comment}" if comment else text


def _card(key, old, new) -> str:
    a, b = _items(old), _items(new)
    names = list(a) + [n for n in b if n not in a]
    rows: list[str] = []
    same: list[str] = []
    for n in names:
        state = "removed" if n not in b else "added" if n not in a else "changed" if a[n] != b[n] else None
        bg = f" style='background:{COLOURS[state]}'" if state else ""
        (rows if state else same).append(
            f"<tr{bg}><td style='{LEFT}'><code>{_esc(n)}</code></td><td style='{LEFT}'><code>{_esc(a.get(n, ''))}"
            f"</code></td><td style='{LEFT}'><code>{_esc(b.get(n, ''))}</code></td></tr>"
        )
    status = "added" if old is None else "removed" if new is None else "changed"
    name = ".".join(p for p in key if p)
    head = f"<tr><th></th><th style='{LEFT}'>source</th><th style='{LEFT}'>target</th></tr>"
    unchanged = (
        f"<details><summary>{len(same)} unchanged</summary><table>{head}{''.join(same)}</table></details>"
        if same
        else ""
    )  # a wide table with one changed column shows that column, not all of them
    return (
        f"<div style='margin:6px 0;{LEFT}'><strong>{_esc(name)}</strong> <em>({status})</em>"
        f"<table>{head}{''.join(rows)}</table>{unchanged}</div>"
    )


def render_diff_html(result) -> str:
    parts = [
        f"<div class='dbm-result' style='{LEFT}'><strong>{_esc(result.title)}</strong>",
        f"<div><b>{_esc(result.summary_line())}</b></div>",
        f"<div>From: {_esc(result.source)}<br>To: {_esc(result.target)}</div>",
    ]
    parts += [f"<div><em>Note: {_esc(n)}</em></div>" for n in getattr(result, "notes", ())]
    a = result.source_model.tables if result.source_model else {}
    b = result.target_model.tables if result.target_model else {}
    keys = sorted(set(a) | set(b))
    changed = [k for k in keys if a.get(k) != b.get(k)]
    same = [k for k in keys if a.get(k) == b.get(k)]
    parts += [_card(k, a.get(k), b.get(k)) for k in changed]
    if same:
        names = ", ".join(_esc(".".join(p for p in k if p)) for k in same)
        parts.append(f"<details><summary>{len(same)} unchanged tables</summary><div>{names}</div></details>")
    if result.changes:
        parts.append(table_html(result.table(), result.columns()))
    if result.sql:
        from .change_html import sql_block

        parts.append(sql_block("SQL", result.sql))
    if result.left_out:
        parts.append(
            f"<details><summary>Left out (destructive; use --unsafe)</summary><pre style='{MONO}'>"
            + _esc("\n\n".join(result.left_out))
            + "</pre></details>"
        )
    parts.append("</div>")
    return "".join(parts)
