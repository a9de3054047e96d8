"""PostgreSQL column types as the differ judges them: whether a type change only widens (no
value can be lost) and whether ``USING col::new`` can convert; a column's definition as DDL."""

from __future__ import annotations

import re

from .model import Column
from .quoting import pg_quote as q

WIDENING = {
    ("smallint", "integer"),
    ("smallint", "bigint"),
    ("integer", "bigint"),
    ("real", "double precision"),
    ("character varying", "text"),
    ("character", "text"),
}


_PRECISION = re.compile(r"^(timestamp|time|interval)\((\d+)\)(.*)$")


def _base(t: str) -> tuple[str, int | None]:
    m = _PRECISION.match(t)  # "timestamp(3) with time zone": the precision sits inside the name
    if m:
        return m.group(1) + m.group(3), int(m.group(2))
    if "(" in t and t.endswith(")") and t.count("(") == 1:
        head, arg = t[:-1].split("(")
        return head, int(arg) if arg.isdigit() else None
    return t, None


def _numeric(t: str) -> tuple[int, int] | None:
    """(integer digits, scale) of ``numeric(p,s)``; None for other types."""
    if t.startswith("numeric(") and t.endswith(")"):
        p, _, sc = t[len("numeric(") : -1].partition(",")
        if p.strip().isdigit() and (not sc or sc.strip().isdigit()):
            scale = int(sc or 0)
            return int(p) - scale, scale
    return None


def widening(old: str, new: str) -> bool:
    ona, nna = _numeric(old), _numeric(new)
    if ona and nna:  # numeric(10,2) -> numeric(12,2) or (12,4): every old value still fits exactly
        return nna[0] >= ona[0] and nna[1] >= ona[1]
    if ona and new == "numeric":
        return True
    (ob, on), (nb, nn) = _base(old), _base(new)
    if (ob, nb) in WIDENING:
        return True
    if ob == nb and on is not None and (nn is None or nn >= on):
        return True
    return ob == nb and ob in ("character varying", "numeric") and on is not None and nn is None


CATEGORIES = {
    "boolean": "B",
    "smallint": "N",
    "integer": "N",
    "bigint": "N",
    "numeric": "N",
    "real": "N",
    "double precision": "N",
    "text": "S",
    "character varying": "S",
    "character": "S",
    "date": "D",
    "timestamp without time zone": "D",
    "timestamp with time zone": "D",
    "jsonb": "J",
    "json": "J",
}


def castable(old: str, new: str) -> bool:
    """Whether ``USING col::new`` can work: same category, to/from a string type (I/O conversion),
    or PostgreSQL's one cast between integer and boolean. Unknown types are assumed castable."""
    a, b = CATEGORIES.get(_base(old)[0]), CATEGORIES.get(_base(new)[0])
    if a is None or b is None or a == b or "S" in (a, b):
        return True
    return {_base(old)[0], _base(new)[0]} == {"integer", "boolean"}


def column_sql(c: Column) -> str:
    parts = [q(c.name), c.type]
    if c.collation:
        parts.append(f"COLLATE {c.collation}")
    if c.generated:
        parts.append(f"GENERATED ALWAYS AS ({c.generated}) STORED")
    if c.identity:
        parts.append(f"GENERATED {c.identity} AS IDENTITY" + (f" ({c.identity_options})" if c.identity_options else ""))
    if c.default is not None:
        parts.append(f"DEFAULT {c.default}")
    if not c.nullable:
        parts.append("NOT NULL")
    return " ".join(parts)
