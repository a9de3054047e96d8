"""dbmate's migration file: ``-- migrate:up [options]`` then ``-- migrate:down [options]``.

dbmate sends each section to the database whole, so the up part ends at the down marker whether
or not its last statement has a ``;`` (a statement split across the marker would be wrong SQL and
a wrong lint). ``transaction:false`` on a marker runs that section outside a transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = re.compile(r"^--\s*migrate:(up|down)\b(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Sections:
    up: str
    down: str | None  # None: the file has no down marker
    up_transaction: bool = True
    down_transaction: bool = True


def _transaction(options: str) -> bool:
    return not re.search(r"\btransaction:\s*false\b", options)


def sections(text: str) -> Sections:
    """The up and down parts of a dbmate file, as dbmate cuts them."""
    found = list(MARKER.finditer(text))
    parts: dict[str, tuple[str, bool]] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        parts.setdefault(m.group(1), (text[m.end() : end].strip(), _transaction(m.group(2))))
    up, up_tx = parts.get("up", ("", True))
    down = parts.get("down")
    return Sections(up, down[0] if down else None, up_tx, down[1] if down else True)


def located_sections(text: str) -> list[tuple[str, int]] | None:
    """The up section, then the down section if any, as dbmate cuts them, each with the 1-based
    line of the file it starts on (None when the file has no up marker)."""
    found = list(MARKER.finditer(text))
    cut: dict[str, tuple[str, int]] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        cut.setdefault(m.group(1), (text[m.end() : end], text.count("\n", 0, m.end()) + 1))
    if "up" not in cut:
        return None
    return [cut["up"], *([cut["down"]] if "down" in cut else [])]


def statement_ended(sql: str) -> str:
    """``sql`` with a closing ``;`` after its last statement when it has none (what dbmate ran as a
    whole section), so SQL shown or linted next to other SQL keeps its statements apart."""
    body = sql.rstrip()
    lines = [ln for ln in body.splitlines() if ln.strip() and not ln.strip().startswith("--")]
    if not lines or lines[-1].rstrip().endswith(";"):
        return body
    return body + ";"
