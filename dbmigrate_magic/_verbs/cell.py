"""A default migration name for a ``%%dbm migrate`` cell, from its first statement.

The cell's ``-- UP`` / ``-- DOWN`` sections are the raw SQL file format
(``adapters.rawsql.files``).
"""

from __future__ import annotations

import re


def slug(text: str, limit: int = 48) -> str:
    out = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return out[:limit].rstrip("_") or "migration"


def default_name(up: str) -> str:
    """A name for a cell's migration from its first statement: ``create_table_users``."""
    import logging

    import sqlglot
    from sqlglot import exp

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
