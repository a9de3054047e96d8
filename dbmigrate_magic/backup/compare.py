"""Fingerprints of a database for ``restore --verify`` and the round-trip proofs: the schema
as SQLAlchemy reflects it (tables, column names and types) and, per table, the row count and
an order-independent checksum over every row's values."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from dataclasses import dataclass
from typing import Any

_MOD = 1 << 256


@dataclass(frozen=True)
class TableFingerprint:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, type as the dialect compiles it)
    rows: int | None  # None: schema only was compared
    checksum: str | None


def _canonical(value: Any) -> str:
    if value is None:
        return "N"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "b:" + bytes(value).hex()
    if isinstance(value, bool):
        return f"o:{int(value)}"
    if isinstance(value, decimal.Decimal):
        return "d:" + format(value.normalize(), "f") if value.is_finite() else f"d:{value}"
    if isinstance(value, float):
        return f"f:{value!r}"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return "t:" + value.isoformat()
    if isinstance(value, dt.timedelta):
        return f"i:{value.total_seconds()!r}"
    return f"{type(value).__name__}:{value}"


def row_hash(row: tuple) -> int:
    text = "\x1f".join(_canonical(v) for v in row)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest(), "big")


def fingerprint(url: str, data: bool = True) -> dict[str, TableFingerprint]:
    """Every table's fingerprint; ``data`` False compares the schema only."""
    from sqlalchemy import MetaData, Table, create_engine, func, select
    from sqlalchemy.pool import NullPool

    from ..dialects import dialect_for

    dialect_for(url).prepare_sqlalchemy()
    engine = create_engine(url, poolclass=NullPool)
    try:
        from sqlalchemy import inspect

        inspector = inspect(engine)
        out: dict[str, TableFingerprint] = {}
        with engine.connect() as conn:
            for name in sorted(inspector.get_table_names()):
                columns = inspector.get_columns(name)
                described = tuple((c["name"], _type_name(c["type"], engine.dialect)) for c in columns)
                rows = checksum = None
                if data:
                    table = Table(name, MetaData(), autoload_with=conn)
                    total = 0
                    count = 0
                    result = conn.execution_options(stream_results=True, yield_per=2000).execute(select(table))
                    for row in result:
                        total = (total + row_hash(tuple(row))) % _MOD
                        count += 1
                    rows, checksum = count, f"{total:064x}"
                    # cross-check the streamed count with the server's own
                    server_count = conn.execute(select(func.count()).select_from(table)).scalar_one()
                    if server_count != count:
                        rows = server_count
                out[name] = TableFingerprint(name, described, rows, checksum)
        return out
    finally:
        engine.dispose()


def _type_name(type_, dialect) -> str:
    try:
        return type_.compile(dialect=dialect)
    except Exception:  # a reflected type the dialect cannot render: fall back to its class
        return type(type_).__name__


def compare(source: dict[str, TableFingerprint], restored: dict[str, TableFingerprint]) -> list[dict[str, Any]]:
    """One row per table: does the schema match, do counts and checksums match."""
    rows = []
    for name in sorted(set(source) | set(restored)):
        a, b = source.get(name), restored.get(name)
        if a is None or b is None:
            rows.append(
                {
                    "table": name,
                    "schema_match": False,
                    "source_rows": a.rows if a else None,
                    "restored_rows": b.rows if b else None,
                    "rows_match": False,
                    "note": "only in the restored copy" if a is None else "missing from the restored copy",
                }
            )
            continue
        schema_ok = a.columns == b.columns
        data_ok = a.rows == b.rows and a.checksum == b.checksum
        note = None
        if not schema_ok:
            diff = sorted(set(a.columns) ^ set(b.columns))
            note = "columns differ: " + ", ".join(f"{c} {t}" for c, t in diff[:6])
        elif not data_ok:
            note = "row counts differ" if a.rows != b.rows else "same count, different row contents"
        rows.append(
            {
                "table": name,
                "schema_match": schema_ok,
                "source_rows": a.rows,
                "restored_rows": b.rows,
                "rows_match": data_ok,
                "note": note,
            }
        )
    return rows
