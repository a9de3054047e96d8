"""The body of a ``%%dbm migrate`` cell: ``-- UP`` / ``-- DOWN`` sections and a default name.

The markers are our file format (a line holding only ``-- UP`` or ``-- DOWN``), not SQL, so
they are found line by line; the SQL between them is passed on untouched.
"""
from __future__ import annotations

import re

_MARKER = re.compile(r"^\s*--\s*(UP|DOWN)\s*:?\s*$", re.IGNORECASE)


def split_sections(text: str) -> tuple[str, str | None]:
    """``(up, down)``; without an ``-- UP`` marker the whole body is the up part.

    Returns ``down`` None when there is no ``-- DOWN`` section, "" when it is present but empty.
    """
    up: list[str] = []
    down: list[str] | None = None
    current: list[str] | None = None
    saw_up = False
    preamble: list[str] = []
    for line in text.splitlines():
        m = _MARKER.match(line)
        if m:
            if m.group(1).upper() == "UP":
                saw_up = True
                current = up
            else:
                down = [] if down is None else down
                current = down
            continue
        (current if current is not None else preamble).append(line)
    if not saw_up:
        up = preamble + up
    return "\n".join(up).strip(), ("\n".join(down).strip() if down is not None else None)


def compose(up: str, down: str | None) -> str:
    """The file text for raw SQL style tools: ``-- UP`` then ``-- DOWN`` sections."""
    text = "-- UP\n" + up.strip() + "\n"
    if down is not None:
        text += "\n-- DOWN\n" + down.strip() + ("\n" if down.strip() else "")
    return text


def slug(text: str, limit: int = 48) -> str:
    out = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return out[:limit].rstrip("_") or "migration"


def default_name(up: str) -> str:
    """A name for a cell's migration from its first statement: ``create_table_users``."""
    import sqlglot
    from sqlglot import exp

    import logging

    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)  # "falling back to Command" warnings are not for the user
    try:
        tree = sqlglot.parse_one(up, error_level=sqlglot.ErrorLevel.IGNORE)
    except Exception:
        tree = None
    finally:
        logger.setLevel(level)
    if tree is not None and tree.key != "command":
        table = tree.find(exp.Table)
        verb = tree.key.lower()
        kind = str(tree.args.get("kind") or "").lower()
        words = [verb, kind, table.name if table is not None else ""]
        name = slug(" ".join(w for w in words if w))
        if name != "migration":
            return name
    first = next((ln for ln in up.splitlines() if ln.strip() and not ln.strip().startswith("--")), "")
    return slug(" ".join(first.split()[:4]))
