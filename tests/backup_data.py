"""Shared test data for the backup proofs: binary and unicode values on every dialect."""

from __future__ import annotations

import datetime as dt
import decimal

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Text,
    Unicode,
    create_engine,
    insert,
    inspect,
    select,
)
from sqlalchemy.pool import NullPool

UNICODE = ["Zoë", "Łódź ✓", "日本語テキスト", "emoji 🎉🐘", "العربية", "naïve café", "", "quote ' \" \\ end"]


def metadata() -> MetaData:
    md = MetaData()
    Table(
        "customers",
        md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("name", Unicode(100), nullable=False),
        Column("bio", Text),
        Column("photo", LargeBinary),
        Column("joined", Date),
        mysql_charset="utf8mb4",
    )
    Table(
        "orders",
        md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
        Column("amount", Numeric(12, 2), nullable=False),
        Column("payload", LargeBinary),
        Index("ix_orders_customer", "customer_id"),
        mysql_charset="utf8mb4",
    )
    return md


def blob(i: int) -> bytes:
    # every byte value, NULs, and bytes that are invalid UTF-8
    return bytes(range(256)) + bytes([i % 256, 0, 0xFF, 0xC3]) * (i % 7)


def fill(url: str, customers: int = 120) -> None:
    engine = create_engine(url, poolclass=NullPool)
    md = metadata()
    md.create_all(engine)
    t_c, t_o = md.tables["customers"], md.tables["orders"]
    with engine.begin() as conn:
        conn.execute(
            insert(t_c),
            [
                {
                    "id": i,
                    "name": f"{UNICODE[i % len(UNICODE)]} #{i}",
                    "bio": None if i % 5 == 0 else "ünï\ncode " * (i % 4),
                    "photo": None if i % 9 == 0 else blob(i),
                    "joined": dt.date(2020, 1, 1) + dt.timedelta(days=i),
                }
                for i in range(1, customers + 1)
            ],
        )
        conn.execute(
            insert(t_o),
            [
                {"id": i, "customer_id": 1 + i % customers, "amount": decimal.Decimal(i) / 4, "payload": blob(i * 3)}
                for i in range(1, 2 * customers + 1)
            ],
        )
    engine.dispose()


def rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key, with binary values as bytes."""
    engine = create_engine(url, poolclass=NullPool)
    out = {}
    try:
        md = MetaData()
        md.reflect(engine)
        with engine.connect() as conn:
            for name, table in md.tables.items():
                pk = list(table.primary_key.columns) or list(table.columns)
                out[name] = [
                    tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                    for row in conn.execute(select(table).order_by(*pk))
                ]
    finally:
        engine.dispose()
    return out


def schema(url: str) -> dict[str, dict]:
    """Tables with their columns (name, type, nullable), primary keys, foreign keys and indexes."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        insp = inspect(engine)
        out = {}
        for name in insp.get_table_names():
            out[name] = {
                "columns": [
                    (c["name"], str(c["type"].compile(dialect=engine.dialect)), c["nullable"])
                    for c in insp.get_columns(name)
                ],
                "pk": insp.get_pk_constraint(name)["constrained_columns"],
                "fks": sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(name)
                ),
                "indexes": sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(name)),
            }
        return out
    finally:
        engine.dispose()
