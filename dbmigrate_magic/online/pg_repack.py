"""PostgreSQL table rewrites (VACUUM FULL, CLUSTER) handed to pg_repack, which rebuilds the table
online and holds ACCESS EXCLUSIVE only for the final swap, instead of for the whole rewrite."""

from __future__ import annotations

from typing import Any

from .engines import pg_repack
from .model import Rewrite, Step
from .pg_live import LiveSchema
from .pg_sql import q, table_sql

_EXTENSION = "SELECT 1 FROM pg_extension WHERE extname = 'pg_repack'"


def repack(statement: str, node: Any, live: LiveSchema) -> Rewrite:
    from pglast import ast

    cluster = isinstance(node, ast.ClusterStmt)
    rel = node.relation if cluster else node.rels[0].relation
    table = table_sql(rel)
    why = f"{'CLUSTER' if cluster else 'VACUUM FULL'} rewrites {table} under ACCESS EXCLUSIVE: reads and writes wait"
    run = pg_repack(live.db.url if live.db is not None else "postgresql://localhost/db", table, why, order=cluster)
    steps = []
    if live.db is None or not _has_extension(live):
        steps.append(
            Step(
                "create_extension_pg_repack",
                "expand",
                "CREATE EXTENSION IF NOT EXISTS pg_repack;",
                "DROP EXTENSION IF EXISTS pg_repack;",
                "none worth naming",
                "milliseconds",
            )
        )
    if cluster and node.indexname:
        steps.append(
            Step(
                f"cluster_{rel.relname}_on_{node.indexname}",
                "expand",
                f"ALTER TABLE {table} CLUSTER ON {q(node.indexname)};",
                f"ALTER TABLE {table} SET WITHOUT CLUSTER;",
                f"SHARE UPDATE EXCLUSIVE on {table}",
                "milliseconds: catalog only (pg_repack orders by this index)",
            )
        )
    steps.append(
        Step(
            f"repack_{rel.relname}",
            "engine",
            statement.rstrip(";") + ";",
            None,
            f"ACCESS EXCLUSIVE on {table} only at the start and the final swap",
            "milliseconds twice; the copy runs with reads and writes going on",
            engine=run,
        )
    )
    note = "" if run.installed else f" It is not installed here: {run.install}."
    return Rewrite("pg_repack", statement, tuple(steps), why, (f"Runs with pg_repack.{note}",))


def _has_extension(live: LiveSchema) -> bool:
    from sqlalchemy import text

    assert live.db is not None
    with live.db.connect() as conn:
        return conn.execute(text(_EXTENSION)).first() is not None
