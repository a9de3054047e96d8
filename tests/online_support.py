"""Helpers for the zero-downtime tests: the table and the changes they plan, a project of each tool,
carrying out a written plan step by step with the real tools, and a PostgreSQL table's schema and
rows in a form two databases can be compared by."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import query

#: the table (with rows, and a parent for the foreign key) every plan test starts from
SETUP = (
    "CREATE TABLE t (id serial PRIMARY KEY, a text NOT NULL DEFAULT 'x', n integer NOT NULL DEFAULT 0, "
    "m integer, u integer)",
    "CREATE TABLE parent (id integer PRIMARY KEY)",
    "INSERT INTO parent SELECT g FROM generate_series(1, 50) g",
    "INSERT INTO t (a, n, m, u) SELECT 'v' || g, g, g % 7 + 1, g FROM generate_series(1, 1234) g",
)

#: case -> (the naive statement, the rewrite family the plan takes, the column whose rows must survive)
CASES = {
    "rename": ("ALTER TABLE t RENAME COLUMN a TO c", "rename-column", "c"),
    "type": ("ALTER TABLE t ALTER COLUMN n TYPE bigint", "change-column-type", "n"),
    "type_primary_key": ("ALTER TABLE t ALTER COLUMN id TYPE bigint", "change-column-type", "id"),
    "type_using": ("ALTER TABLE t ALTER COLUMN a TYPE varchar(20) USING upper(a)", "change-column-type", "a"),
    "not_null_column": (
        "ALTER TABLE t ADD COLUMN created timestamptz NOT NULL DEFAULT clock_timestamp()",
        "add-not-null-column",
        None,
    ),
    "index": ("CREATE INDEX t_m_idx ON t (m)", "add-index", "m"),
    "unique": ("ALTER TABLE t ADD CONSTRAINT t_u_key UNIQUE (u)", "add-unique", "u"),
    "foreign_key": (
        "ALTER TABLE t ADD CONSTRAINT t_m_fkey FOREIGN KEY (m) REFERENCES parent (id)",
        "add-foreign-key",
        "m",
    ),
    "check": ("ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n > 0)", "add-check", "n"),
    "set_not_null": ("ALTER TABLE t ALTER COLUMN m SET NOT NULL", "set-not-null", "m"),
    "drop_column": ("ALTER TABLE t DROP COLUMN u", "drop-column", None),
}


def run_plan(root: Path, url: str, result, batch_size: int = 300, between=None) -> None:
    """Each step in order: migrations with `migrate --to`, backfills with `backfill` (as a deploy would).
    A migration's id for ``--to`` is the one `dbm status` shows for the file the plan wrote.
    ``between(step)``, if given, runs after each step (the application writing meanwhile)."""
    from dbmigrate_magic import api

    ids = written_ids(root, url, result)
    files = iter(result.written)
    for change in result.changes:
        for step in change.plan.steps:
            if step.backfill is None:
                target = ids[next(files)]
                out = api.migrate(str(root), env=url, to=target, yes=True)
                assert out.status == "applied", out.to_text()
            else:
                bf = step.backfill
                out = api.backfill(
                    bf.table,
                    set_sql=bf.set_sql,
                    where=bf.where,
                    env=url,
                    project=str(root),
                    yes=True,
                    batch_size=batch_size,
                )
                assert out.status == "applied", out.to_text()
            if between is not None:
                between(step)


def written_ids(root: Path, url: str, result) -> dict[str, str]:
    """file -> migration id (as `dbm status` lists them) of each migration the plan wrote."""
    from dbmigrate_magic import api

    frame = api.status(str(root), env=url).to_frame()
    ids = dict(zip(frame["file"], frame["migration"]))
    return {f: ids[f] for f in result.written}


def plan_states(root: Path, url: str, result) -> list[str]:
    """The `dbm status` state of each migration the plan wrote (a Django project lists its contrib
    apps' migrations too, which the plan does not touch)."""
    from dbmigrate_magic import api

    frame = api.status(str(root), env=url).to_frame()
    return frame[frame["file"].isin(result.written)]["state"].tolist()


def pg_schema(url: str, table: str) -> dict:
    """Columns (by name: type, nullable, default), constraints, indexes (and whether each is valid:
    a CONCURRENTLY build that failed leaves an invalid one), triggers of ``table``."""
    cols = query(
        url,
        "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
        f"WHERE table_name = '{table}' ORDER BY column_name",
    )
    cons = query(
        url,
        f"SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{table}'::regclass ORDER BY 1",
    )
    idx = query(
        url,
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisvalid FROM pg_index i "
        f"JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '{table}'::regclass ORDER BY 1",
    )
    trg = query(url, f"SELECT tgname FROM pg_trigger WHERE tgrelid = '{table}'::regclass AND NOT tgisinternal")
    return {"columns": cols, "constraints": cons, "indexes": idx, "triggers": trg}


def checksum(url: str, sql_expr: str, table: str) -> str:
    """md5 over every row's ``sql_expr`` in primary-key order: the data, compared across databases."""
    return query(url, f"SELECT md5(string_agg(({sql_expr})::text, '|' ORDER BY id)) FROM {table}")[0][0]


def raw_sql_project(root: Path, url: str) -> Path:
    from tests.helpers import make_project

    return make_project(root, url)


def alembic_project(root: Path, url: str) -> Path:
    from tests import alembic_project

    return alembic_project.init(root, url)


def django_project(root: Path, url: str) -> Path:
    from tests import django_project

    return django_project.startproject(root, url, ["shop"])


def knex_project(root: Path, url: str) -> Path:
    from tests.node_projects import knex_project

    return knex_project(root, url, [])


#: a project of each tool the plans are proven with, empty and pointing at the database's URL
PROJECTS = {"raw_sql": raw_sql_project, "alembic": alembic_project, "django": django_project, "knex": knex_project}

#: what each tool's migration says to run outside a transaction (``Adapter.mark_outside_transaction``)
OUTSIDE_TRANSACTION = {
    "raw_sql": "-- dbm:no-transaction",
    "alembic": "autocommit_block",
    "django": "atomic = False",
    "knex": "transaction: false",
}
