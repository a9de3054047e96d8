"""The reverse (down SQL) of a MySQL/MariaDB plan step, found and proved on the scratch copy.

The planner runs each statement on an empty copy of its tables; the schema read before and after it
gives the reverse through the project's own schema diff (after -> before), each reverse statement
with the best ALGORITHM clause the server takes, like the step itself. The reverse is then run on
the copy and kept only if the schema comes back exactly; the step is run again after it so the
copy stays in step for the statements that follow. Where the step drops something, the reverse
brings back its definition but not its data, and says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reverse:
    down: str | None  # None: there is none
    note: str | None  # what a reader must know about it (data not restored, or why there is none)


_RENAME = re.compile(
    r"^\s*ALTER\s+TABLE\s+(\S+)\s+RENAME\s+(COLUMN|INDEX|KEY)\s+(\S+)\s+TO\s+([^\s,;]+)\s*(,\s*ALGORITHM\s*=.*)?$",
    re.IGNORECASE | re.DOTALL,
)


def _rename_back(forward: str) -> str | None:
    """A rename's reverse is the rename back (a schema diff would see a drop and an add)."""
    m = _RENAME.match(forward)
    return f"ALTER TABLE {m[1]} RENAME {m[2]} {m[4]} TO {m[3]}" if m else None


def read_schema(probe: Any) -> Any:
    from ..schema.introspect import introspect

    return introspect(probe)


def reverse_of(
    conn: Any,
    probe: Any,
    before: Any,
    forward: str,
    best_clause: Callable[[Any, str], str],
) -> Reverse:
    """``forward`` has just run on the copy (``conn``; ``probe`` the copy's Database) whose schema was
    ``before``; ``best_clause(conn, sql)`` runs ``sql`` with the best ALGORITHM clause and returns it."""
    from ..schema.diff import diff

    after = read_schema(probe)
    renamed = _rename_back(forward)
    back = (
        [renamed] if renamed else [s.sql.strip().rstrip(";") for s in diff(after, before).statements if not s.wrapper]
    )
    if not back:
        return Reverse(
            None,
            "no reverse: the statement changes no table definition (rows it changes cannot be changed back by "
            "computed SQL: restore them from a backup if needed)",
        )
    lost = not renamed and bool(diff(before, after).destructive)
    ran: list[str] = []
    try:
        for sql in back:
            ran.append(best_clause(conn, sql))
        exact = diff(before, read_schema(probe)).is_empty
    except Exception as exc:  # the server refused the computed reverse: say so rather than write it
        exact, why = False, str(getattr(exc, "orig", exc)).splitlines()[0]
    else:
        why = "it did not bring the table definition back exactly"
    conn.exec_driver_sql(forward)  # the copy goes on from the step's result
    if not exact:
        return Reverse(None, f"no reverse: the computed one was tried on a copy and {why}; undo it by hand")
    down = ";\n".join(ran) + ";"
    if lost:
        note = (
            "the reverse brings back the definition of what the step drops, not its data (restore that from a backup)"
        )
        return Reverse(f"-- {note}\n{down}", note)
    return Reverse(down, None)
