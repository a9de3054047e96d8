"""The raw SQL migration file format: ``-- UP`` / ``-- DOWN`` sections in one ``.sql`` file.

The markers are our file format (a line holding only ``-- UP`` or ``-- DOWN``), not SQL, so
they are found line by line; the SQL between them is passed on untouched. A ``%%dbm migrate``
cell's body uses the same sections.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"^\s*--\s*(UP|DOWN)\s*:?\s*$", re.IGNORECASE)
#: the first line of a migration our runner applies outside a transaction (CREATE INDEX CONCURRENTLY),
#: both directions; each statement then commits on its own and a failure is recorded as such
NO_TRANSACTION = "-- dbm:no-transaction"
_NO_TX = re.compile(r"\A(?:\s*--[^\n]*\n)*?\s*--\s*dbm:no-transaction\s*$", re.IGNORECASE | re.MULTILINE)


def outside_transaction(text: str) -> bool:
    """Whether the file asks to run outside a transaction: ``-- dbm:no-transaction`` among its leading
    comment lines."""
    return bool(_NO_TX.match(text))


def sections(text: str) -> tuple[tuple[str, int], tuple[str, int] | None]:
    """``((up, up_first_line), (down, down_first_line) or None)`` with text kept line for line.

    Without an ``-- UP`` marker the whole body (up to ``-- DOWN``) is the up part. Line numbers are
    1-based lines of ``text`` where each part starts, so statement errors can name the file's line.
    """
    lines = text.splitlines()
    markers: dict[str, int] = {}
    for i, line in enumerate(lines):
        m = _MARKER.match(line)
        if m:
            markers.setdefault(m.group(1).upper(), i)

    def part(begin: int) -> tuple[str, int]:
        end = min([i for i in markers.values() if i >= begin] + [len(lines)])
        return "\n".join(lines[begin:end]), begin + 1

    up = part(markers["UP"] + 1) if "UP" in markers else part(0)
    down = part(markers["DOWN"] + 1) if "DOWN" in markers else None
    return up, down


def split_sections(text: str) -> tuple[str, str | None]:
    """``(up, down)`` stripped; ``down`` None when there is no ``-- DOWN`` section."""
    (up, _), down = sections(text)
    return up.strip(), (down[0].strip() if down is not None else None)


def compose(up: str, down: str | None) -> str:
    """The file text for raw SQL style tools: ``-- UP`` then ``-- DOWN`` sections."""
    text = "-- UP\n" + up.strip() + "\n"
    if down is not None:
        text += "\n-- DOWN\n" + down.strip() + ("\n" if down.strip() else "")
    return text
