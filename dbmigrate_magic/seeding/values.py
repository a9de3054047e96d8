"""Seed values as the database column takes them, checked before anything is written.

A DataFrame holds numpy scalars, ``NaN``/``NaT``, pandas ``Timestamp``s; a CSV file holds text. Each
column of the live table says what it takes (its SQLAlchemy type), and every value is turned into
the plain Python value the driver binds, or refused with the column, row and value named: a bad
seed fails here, on every dialect alike (SQLite would otherwise store ``'abc'`` in an INTEGER).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..errors import SeedFailed

if TYPE_CHECKING:
    import pandas as pd

_TRUE = {"true", "t", "yes", "y", "1", "on"}
_FALSE = {"false", "f", "no", "n", "0", "off"}


class _Bad(Exception):
    """A value the column cannot take (turned into ``SeedFailed`` with the row and column)."""


def is_missing(value: Any) -> bool:
    """None, NaN, NaT and pandas' NA: all become NULL."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    import pandas as pd

    return value is pd.NaT or value is pd.NA or (type(value).__name__ == "datetime64" and pd.isna(value))


def kind_of(sa_type: Any) -> str:
    """What a column takes: int, float, decimal, bool, datetime, date, time, json, binary, text or any."""
    from sqlalchemy import types as t

    checks: list[tuple[type | tuple[type, ...], str]] = [
        (t.Boolean, "bool"),
        (t.Integer, "int"),
        (t.Float, "float"),
        (t.Numeric, "decimal"),
        (t.DateTime, "datetime"),
        (t.Date, "date"),
        (t.Time, "time"),
        (t.JSON, "json"),
        (t._Binary, "binary"),
        ((t.Enum, t.Uuid), "any"),
        (t.String, "text"),
    ]
    if type(sa_type).__name__ == "TINYINT" and getattr(sa_type, "display_width", None) == 1:
        return "bool"  # MySQL/MariaDB spell BOOLEAN as TINYINT(1): a CSV's `true` must load there as elsewhere
    for cls, kind in checks:
        if isinstance(sa_type, cls):
            return kind
    return "any"


def _int(v: Any) -> int:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, (float, Decimal)) and v == int(v):
        return int(v)
    if isinstance(v, str):
        return int(v.strip())
    raise _Bad


def _float(v: Any) -> float:
    if isinstance(v, (numbers.Real, Decimal)) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str):
        return float(v.strip())
    raise _Bad


def _decimal(v: Any) -> Decimal:
    if isinstance(v, Decimal):
        return v
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return Decimal(int(v))
    if isinstance(v, (numbers.Real, str)) and not isinstance(v, bool):
        return Decimal(str(v).strip())
    raise _Bad


def _bool(v: Any) -> bool:
    if isinstance(v, (bool, numbers.Integral)) and int(v) in (0, 1):
        return bool(v)
    if type(v).__name__ == "bool_":  # numpy
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in _TRUE | _FALSE:
        return v.strip().lower() in _TRUE
    raise _Bad


def _datetime(v: Any, timezone: bool) -> dt.datetime:
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    elif isinstance(v, str):
        v = dt.datetime.fromisoformat(v.strip())
    elif isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        v = dt.datetime(v.year, v.month, v.day)
    if not isinstance(v, dt.datetime):
        raise _Bad
    if not timezone and v.tzinfo is not None:
        # a column without a time zone keeps the instant in UTC (SQLite and MySQL DATETIME would drop the offset)
        v = v.astimezone(dt.UTC).replace(tzinfo=None)
    return v


def _date(v: Any) -> dt.date:
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        if v.time() != dt.time(0):
            raise _Bad
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        return dt.date.fromisoformat(v.strip())
    raise _Bad


def _time(v: Any) -> dt.time:
    if isinstance(v, dt.time):
        return v
    if isinstance(v, str):
        return dt.time.fromisoformat(v.strip())
    raise _Bad


def _binary(v: Any) -> bytes:
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v)
    if isinstance(v, str) and v.startswith("\\x"):  # a CSV cell: hex, as PostgreSQL prints bytea
        return bytes.fromhex(v[2:])
    raise _Bad


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    if isinstance(v, (numbers.Number, Decimal)) and not isinstance(v, bool):
        return str(v)
    raise _Bad


def converter(kind: str, sa_type: Any, from_text: bool) -> Callable[[Any], Any]:
    """The function that turns one non-missing value into what the column takes."""
    if kind == "json":
        return lambda v: (
            json.loads(v) if from_text and isinstance(v, str) else (v.tolist() if hasattr(v, "tolist") else v)
        )
    if kind == "datetime":
        timezone = bool(getattr(sa_type, "timezone", False))
        return lambda v: _datetime(v, timezone)
    simple: dict[str, Callable[[Any], Any]] = {
        "int": _int,
        "float": _float,
        "decimal": _decimal,
        "bool": _bool,
        "date": _date,
        "time": _time,
        "binary": _binary,
        "text": _text,
    }
    return simple.get(kind, lambda v: v)


def column_values(
    series: pd.Series, column: Any, table: str, where: Callable[[int], str], from_text: bool
) -> list[Any]:
    """The series as bindable Python values for ``column`` (a reflected SQLAlchemy ``Column``);
    ``where(i)`` names the i-th value's row and file in a message."""
    kind = kind_of(column.type)
    dtype = series.dtype.kind
    if kind in ("int", "float", "decimal") and dtype in ("iu" if kind == "int" else "iuf"):
        # numbers already; only the missing ones (NaN, and pandas NA of the nullable Int64/Float64 dtypes) change
        values = series.tolist()
        return [None if is_missing(v) else v for v in values] if series.hasnans else values
    if kind == "datetime" and dtype == "M":
        return _datetime_column(series, bool(getattr(column.type, "timezone", False)))
    values = series.tolist()
    if kind == "json" and all(v is None or type(v) is dict or type(v) is list for v in values):
        return values
    if kind == "text" and all(type(v) is str for v in values):
        return values
    convert = converter(kind, column.type, from_text)
    out: list[Any] = []
    for row, value in enumerate(values):
        if is_missing(value):
            out.append(None)
            continue
        try:
            out.append(convert(value))
        except (_Bad, ValueError, TypeError, InvalidOperation, OverflowError):
            shown = repr(value)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise SeedFailed(
                f"Column {table}.{column.name} ({column.type}) cannot take {shown} ({type(value).__name__}), "
                f"{where(row)}.",
                unchanged="Nothing was written: the seed is checked before anything runs.",
                next_step="Fix that value (or the column's type) and run the seed again.",
            ) from None
    return out


def _datetime_column(series: pd.Series, timezone: bool) -> list[Any]:
    """A datetime64 column converted in one vectorised step (per-value conversion is 10x slower)."""
    import warnings

    if series.dt.tz is not None and not timezone:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    missing = series.isna().to_numpy()
    with warnings.catch_warnings():  # pandas 2 warns that to_pydatetime will return a Series (pandas 3 does)
        warnings.simplefilter("ignore", FutureWarning)
        values = list(series.dt.to_pydatetime())
    return [None if gone else v for v, gone in zip(values, missing, strict=True)] if missing.any() else values


def rows_for(
    frame: pd.DataFrame, columns: list[Any], table: str, where: Callable[[int], str], from_text: bool
) -> list[tuple]:
    """The frame's rows as tuples in ``columns`` order, every value converted and checked."""
    lists = [column_values(frame[c.name], c, table, where, from_text) for c in columns]
    return list(zip(*lists, strict=True))
