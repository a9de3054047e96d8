"""SQLite's ``PRAGMA foreign_keys`` around a migration that runs in one transaction.

The pragma is a no-op inside a transaction (SQLite docs, "PRAGMA foreign_keys"), so a migration
written for autocommit (``sqlite3 db < file.sql``: switch foreign keys off, rebuild a table, switch
them back on) would rebuild with foreign keys as the connection had them: with them on, dropping
the old parent table deletes child rows through ON DELETE CASCADE. The 12-step ALTER procedure
runs the pragmas outside the transaction and ``PRAGMA foreign_key_check`` before COMMIT; this
module finds which statements of a step those are, for the runner (ledger) and the preview's lint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .sqlsplit import Statement, code_offset

_PRAGMA = re.compile(
    r"PRAGMA\s+(?:main\s*\.\s*)?[\"`\[]?(defer_foreign_keys|foreign_keys)[\"`\]]?\s*"
    r"(?:=\s*(?P<eq>[^\s;]+)|\(\s*(?P<call>[^\s)]+)\s*\))\s*;?\s*\Z",
    re.IGNORECASE,
)
_TRUE, _FALSE = {"on", "yes", "true", "1"}, {"off", "no", "false", "0"}


def _pragma(sql: str) -> tuple[str, bool] | None:
    """('foreign_keys' | 'defer_foreign_keys', value) when ``sql`` sets one of them, else None."""
    m = _PRAGMA.match(sql[code_offset(sql) :])
    if not m:
        return None
    value = (m.group("eq") or m.group("call")).strip("'\"").lower()
    if value not in _TRUE | _FALSE:
        return None
    return m.group(1).lower(), value in _TRUE


def foreign_keys_value(sql: str) -> bool | None:
    """True/False when ``sql`` is ``PRAGMA foreign_keys = ON/OFF`` (any spelling), else None."""
    found = _pragma(sql)
    return found[1] if found and found[0] == "foreign_keys" else None


@dataclass(frozen=True)
class FkHoist:
    """Indexes of the statements the runner takes out of the step's transaction."""

    before: int | None = None  # PRAGMA foreign_keys = OFF: runs before BEGIN
    after: int | None = None  # PRAGMA foreign_keys = ON: runs after COMMIT

    @property
    def active(self) -> bool:
        return self.before is not None or self.after is not None

    @property
    def switches_off(self) -> bool:
        """The step turns foreign keys off, so the runner checks them before COMMIT."""
        return self.before is not None

    def hoisted(self) -> set[int]:
        return {i for i in (self.before, self.after) if i is not None}


def fk_hoist(statements: Sequence[Statement]) -> FkHoist:
    """The leading ``foreign_keys = OFF`` and trailing ``foreign_keys = ON`` of a step, if any.

    ``PRAGMA defer_foreign_keys`` may come first or last (Prisma writes it around the pair): it
    works inside a transaction, so it stays there and is looked past."""

    def edge(order: Sequence[int], wanted: bool) -> int | None:
        for i in order:
            found = _pragma(statements[i].sql)
            if found and found[0] == "defer_foreign_keys":
                continue
            return i if found == ("foreign_keys", wanted) else None
        return None

    n = len(statements)
    before = edge(range(n), False)
    after = edge(range(n - 1, -1, -1), True)
    return FkHoist(before, after if after != before else None)
