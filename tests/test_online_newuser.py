"""`dbm plan` and `dbm backfill` on cases a new user met that the other online tests had not: a
table whose name needs quoting, a UNIQUE constraint outside the public schema, a nullable column
renamed or retyped with the migrations run all at once (no backfill between), a table without a
primary key, and a --set expression the database rejects."""

from __future__ import annotations

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.errors import DbmError, MigrationFailed, UsageProblem
from tests.helpers import execute, make_project, query
from tests.online_support import pg_schema, run_plan

QUOTED = (
    'CREATE TABLE "Orders" ("Id" serial PRIMARY KEY, "Note" text NOT NULL, n int)',
    'INSERT INTO "Orders" ("Note", n) SELECT \'n\' || g, g FROM generate_series(1, 700) g',
    'CREATE TABLE "user" (id serial PRIMARY KEY, name text NOT NULL)',
    "INSERT INTO \"user\" (name) SELECT 'u' || g FROM generate_series(1, 300) g",
)


@pytest.mark.parametrize(
    ("statement", "table", "new"),
    [
        ('ALTER TABLE "Orders" RENAME COLUMN "Note" TO "Remark"', "Orders", "Remark"),
        ('ALTER TABLE "user" RENAME COLUMN name TO full_name', "user", "full_name"),
    ],
    ids=["mixed-case", "reserved-word"],
)
def test_the_backfill_a_plan_prints_runs_on_a_table_whose_name_needs_quotes(statement, table, new, pg_url, tmp_path):
    """The plan names the table as SQL spells it ("Orders", "user"); `dbm backfill` takes that name."""
    execute(pg_url, *QUOTED)
    root = make_project(tmp_path / "p", pg_url)
    result = api.plan(sql=statement, project=str(root), env=pg_url, write=True)
    fill = next(s.backfill for s in result.changes[0].plan.steps if s.backfill is not None)
    assert fill.table.startswith('"')
    run_plan(root, pg_url, result)
    assert query(pg_url, f'SELECT count(*) FROM "{table}" WHERE "{new}" IS NULL') == [(0,)]


def test_a_unique_constraint_in_another_schema_rolls_back_to_no_index(pg_url, tmp_path):
    """The index step's down names the index with its schema: unqualified, DROP INDEX IF EXISTS looked
    on the search_path, found nothing and left the index behind."""
    execute(
        pg_url,
        "CREATE SCHEMA shop",
        "CREATE TABLE shop.t (id serial PRIMARY KEY, u int)",
        "INSERT INTO shop.t (u) SELECT g FROM generate_series(1, 200) g",
    )
    before = pg_schema(pg_url, "shop.t")
    root = make_project(tmp_path / "p", pg_url)
    result = api.plan(sql="ALTER TABLE shop.t ADD UNIQUE (u)", project=str(root), env=pg_url, write=True)
    run_plan(root, pg_url, result)
    assert [c[0] for c in pg_schema(pg_url, "shop.t")["indexes"]] == ["t_pkey", "t_u_key"]
    out = api.rollback(str(root), env=pg_url, steps=len(result.written), yes=True)
    assert out.status == "rolled back", out.to_text()
    assert pg_schema(pg_url, "shop.t") == before


NULLABLE = (
    "CREATE TABLE t (id serial PRIMARY KEY, note text, qty int)",
    "INSERT INTO t (note, qty) SELECT CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END, g FROM generate_series(1, 900) g",
)


@pytest.mark.parametrize(
    ("statement", "kept"),
    [("ALTER TABLE t RENAME COLUMN note TO remark", "note"), ("ALTER TABLE t ALTER COLUMN qty TYPE bigint", "qty")],
    ids=["rename", "type"],
)
def test_a_nullable_copy_is_not_switched_before_its_backfill(statement, kept, pg_url, tmp_path):
    """A NOT NULL column's plan validates a CHECK, which fails until the backfill has run; a nullable
    one had nothing, so `dbm migrate` of every written step switched to the empty copy and dropped
    the old column: every value lost. Now a step between fails (changing nothing) until the backfill is
    done, and with it the plan ends at the naive statement's schema and data."""
    execute(pg_url, *NULLABLE)
    values = query(pg_url, f"SELECT id, {kept} FROM t ORDER BY id")
    root = make_project(tmp_path / "p", pg_url)
    result = api.plan(sql=statement, project=str(root), env=pg_url, write=True)
    with pytest.raises(MigrationFailed, match="not backfilled yet; run first: dbm backfill t"):
        api.migrate(str(root), env=pg_url, yes=True)
    assert query(pg_url, f"SELECT id, {kept} FROM t ORDER BY id") == values  # the old column is still there
    api.rollback(str(root), env=pg_url, steps=1, yes=True)  # the expand step, the one that ran
    run_plan(root, pg_url, result)  # step by step, with the backfill: passes the check
    new = "remark" if "RENAME" in statement else "qty"
    assert query(pg_url, f"SELECT id, {new} FROM t ORDER BY id") == values


def test_a_plan_whose_backfill_needs_a_primary_key_is_refused_before_anything_is_written(pg_url, tmp_path):
    execute(pg_url, "CREATE TABLE nokey (a int NOT NULL, b text NOT NULL)", "INSERT INTO nokey VALUES (1, 'x')")
    root = make_project(tmp_path / "p", pg_url)
    with pytest.raises(UsageProblem, match="has none") as err:
        api.plan(sql="ALTER TABLE nokey RENAME COLUMN b TO c", project=str(root), env=pg_url, write=True)
    assert "Nothing was written" in err.value.unchanged
    assert not list((root / "migrations").iterdir())
    assert [
        r[0] for r in query(pg_url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'nokey'")
    ]


FAILS_AT_601 = "hits = hits + 1 + 0 / (v - 601)"


@pytest.mark.parametrize("kind", ["postgres", "mysql"])
def test_a_set_the_database_rejects_is_a_clear_error(kind, request, tmp_path, run_dbm):
    """Refused before the first batch (the server plans the UPDATE with EXPLAIN) with the database's
    message; a second statement after `;` is refused too; a batch failing mid-way stops with the
    committed batches kept, and the CLI prints the message, no traceback."""
    url = request.getfixturevalue("pg_url" if kind == "postgres" else "mysql_url")
    execute(url, "CREATE TABLE t (id integer PRIMARY KEY, v integer NOT NULL, hits integer NOT NULL DEFAULT 0)")
    seq = "generate_series(1, 1000) g" if kind == "postgres" else "seq_1_to_1000 s"
    execute(url, f"INSERT INTO t (id, v) SELECT {'g, g' if kind == 'postgres' else 'seq, seq'} FROM {seq}")
    root = make_project(tmp_path / "p", url)
    for bad in ("hits = nosuch + 1", "hits = hits +", "hits = hits + 1; DELETE FROM t"):
        with pytest.raises(UsageProblem) as err:
            api.backfill("t", set_sql=bad, yes=True, project=str(root), env=url)
        assert "Nothing was updated" in err.value.unchanged, bad
    assert query(url, "SELECT count(*), max(hits) FROM t") == [(1000, 0)]
    out = run_dbm("backfill", "t", "--set", "hits = nosuch", "--yes", "--project", root, "--env", url)
    assert out.returncode == 2 and "nosuch" in out.stderr and "Traceback" not in out.stderr, out.stderr
    if kind == "postgres":  # a value only some rows cannot take: the batches before it stay done
        with pytest.raises(MigrationFailed) as failed:
            api.backfill("t", set_sql=FAILS_AT_601, batch_size=200, yes=True, project=str(root), env=url)
        assert "division by zero" in str(failed.value) and "600 row(s)" in failed.value.unchanged
        assert query(url, "SELECT hits, count(*) FROM t GROUP BY hits ORDER BY hits") == [(0, 400), (1, 600)]
        with pytest.raises(DbmError, match="division by zero"):  # run again: it resumes at the failing batch
            api.backfill("t", set_sql=FAILS_AT_601, batch_size=200, yes=True, project=str(root), env=url)
        assert query(url, "SELECT max(hits) FROM t") == [(1,)]  # no row done twice


def test_apply_refuses_while_other_migrations_are_pending(pg_url, tmp_path, run_dbm):
    """Each step is applied with the runner up to it, which ran the project's other pending migrations
    too, unpreviewed (and reported their failure as the plan's). Refused now, nothing run or written."""
    execute(pg_url, "CREATE TABLE t (id serial PRIMARY KEY, m int)")
    root = make_project(tmp_path / "p", pg_url, {"20260101000000_other.sql": "-- UP\nCREATE TABLE other (id int);\n"})
    change = tmp_path / "c.sql"
    change.write_text("CREATE INDEX t_m_idx ON t (m);\n")
    out = run_dbm("plan", change, "--apply", "--yes", "--project", root, "--env", pg_url)
    assert out.returncode == 2 and "20260101000000_other.sql" in out.stderr, out.stdout + out.stderr
    assert query(pg_url, "SELECT to_regclass('other') IS NULL, to_regclass('t_m_idx') IS NULL") == [(True, True)]
    assert sorted(p.name for p in (root / "migrations").iterdir()) == ["20260101000000_other.sql"]
    assert api.migrate(str(root), env=pg_url, yes=True).status == "applied"  # applied first, previewed
    out = run_dbm("plan", change, "--apply", "--yes", "--project", root, "--env", pg_url)
    assert out.returncode == 0, out.stdout + out.stderr
    assert query(pg_url, "SELECT to_regclass('t_m_idx') IS NOT NULL") == [(True,)]


def test_dry_run_counts_the_batches_a_where_run_takes(pg_url, tmp_path):
    """Batches walk key ranges, not matching rows: with --where the dry run counted half the batches."""
    execute(pg_url, "CREATE TABLE t (id integer PRIMARY KEY, v integer, hits integer NOT NULL DEFAULT 0)")
    execute(pg_url, "INSERT INTO t (id, v) SELECT g, g FROM generate_series(1, 2000) g")
    root = make_project(tmp_path / "p", pg_url)
    args = {"set_sql": "hits = 1", "where": "v % 2 = 0", "batch_size": 300, "project": str(root), "env": pg_url}
    dry = api.backfill("t", dry_run=True, **args)
    assert "1000 row(s) of t left to update, in about 7 batch(es) of 300" in " ".join(dry.notes)
    assert "in 7 batch(es)" in api.backfill("t", yes=True, **args).message
