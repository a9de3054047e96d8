"""`dbm plan` on real PostgreSQL and MariaDB: what a plan says (locks, deploy checklist, findings
removed), what it refuses, replacing a pending migration, --apply, and old code writing mid-plan.
That every rewrite's steps reach the naive schema with every tool is test_online_tools.py."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import new_database
from dbmigrate_magic import api
from dbmigrate_magic.errors import DbmError
from tests.helpers import execute, make_project, query
from tests.online_support import SETUP, checksum, pg_schema, run_plan


def test_plan_names_locks_checklist_and_removed_findings(pg_url, tmp_path):
    execute(pg_url, *SETUP)
    root = make_project(tmp_path / "p", pg_url)
    result = api.plan(sql="CREATE INDEX t_m_idx ON t (m)", project=str(root), env=pg_url)
    text = result.to_text()
    assert "CREATE INDEX CONCURRENTLY t_m_idx ON t (m);" in text
    assert "SHARE UPDATE EXCLUSIVE on t" in text and "outside a transaction" in text
    assert "require-concurrent-index-creation" in result.changes[0].removed
    assert result.written == () and not list((root / "migrations").iterdir())  # nothing written without --write
    rename = api.plan(sql="ALTER TABLE t RENAME COLUMN a TO c", project=str(root), env=pg_url)
    phases = [s.phase for s in rename.changes[0].plan.steps]
    assert phases == ["expand", "backfill", "validate", "switch", "contract"]
    assert "deploy 4" in rename.to_text() and "dbm backfill t --set 'c = a'" in rename.to_text()
    assert rename.to_frame()["phase"].tolist() == phases


def test_drop_column_refused_while_an_index_or_view_uses_it(pg_url, tmp_path):
    execute(pg_url, *SETUP, "CREATE INDEX t_u_idx ON t (u)", "CREATE VIEW tv AS SELECT id, m FROM t")
    root = make_project(tmp_path / "p", pg_url)
    with pytest.raises(DbmError) as err:
        api.plan(sql="ALTER TABLE t DROP COLUMN u", project=str(root), env=pg_url, write=True)
    assert "t_u_idx" in str(err.value) and "Nothing was written" in err.value.unchanged
    with pytest.raises(DbmError, match="view tv"):
        api.plan(sql="ALTER TABLE t DROP COLUMN m", project=str(root), env=pg_url)
    assert not list((root / "migrations").iterdir())


#: the issue's own example: users.id referenced by orders (NOT NULL, ON DELETE CASCADE) and by users itself
KEYED = (
    "CREATE TABLE users (id serial PRIMARY KEY, email text, referrer_id int REFERENCES users (id) ON DELETE SET NULL)",
    "CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE "
    "DEFERRABLE INITIALLY DEFERRED, total int)",
    "INSERT INTO users (email, referrer_id) SELECT 'u' || g, nullif(g / 2, 0) FROM generate_series(1, 700) g",
    "INSERT INTO orders (user_id, total) SELECT g % 700 + 1, g FROM generate_series(1, 1500) g",
    "CREATE TABLE reviews (id serial PRIMARY KEY, user_id int)",
    "ALTER TABLE reviews ADD CONSTRAINT reviews_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
)
KEY_CHANGE = "ALTER TABLE users ALTER COLUMN id TYPE bigint"


def _write(url: str) -> None:
    """What the application does meanwhile: a user referred by another, an order of each, a deletion."""
    execute(
        url,
        "INSERT INTO users (email, referrer_id) SELECT 'w', max(id) FROM users",
        "INSERT INTO orders (user_id, total) SELECT max(id), -1 FROM users",
        "INSERT INTO orders (user_id, total) VALUES (3, -2)",
        "DELETE FROM users WHERE id = (SELECT max(id) FROM users WHERE email <> 'w')",
    )


def _shape(url: str) -> dict:
    return {t: pg_schema(url, t) for t in ("users", "orders", "reviews")}


def test_type_change_of_a_key_other_tables_reference_copies_their_foreign_keys(pg_url, tmp_path):
    """users.id becomes bigint through a copied column; orders', reviews' (itself NOT VALID) and users'
    own foreign keys are copied onto it NOT VALID, validated, and take the old names in the switch. The
    end is the naive statement's schema (orders.user_id stays integer, every constraint definition the
    same) with the same rows, the application writes throughout, and rolling every step back gives the
    original schema."""
    naive_url, drop_naive = new_database("postgres")
    try:
        for url in (pg_url, naive_url):
            execute(url, *KEYED)
        before = _shape(pg_url)
        execute(naive_url, KEY_CHANGE)
        root = make_project(tmp_path / "p", pg_url)
        result = api.plan(sql=KEY_CHANGE, project=str(root), env=pg_url, write=True)
        steps = result.changes[0].plan.steps
        assert [s.phase for s in steps] == [
            *("expand", "backfill", "validate", "index", "expand", "validate", "switch", "contract")
        ]
        assert "orders_user_id_fkey__new" in steps[4].up and "NOT VALID" in steps[4].up
        assert "reviews_user_id_fkey__new" not in steps[5].up  # a key that is NOT VALID stays so, as naively
        assert "lock_timeout" in steps[4].up and "lock_timeout" in steps[6].up  # writer-blocking: short waits
        run_plan(root, pg_url, result, between=lambda step: _write(pg_url))
        for _ in steps:  # the naive database gets the same writes, after its one statement
            _write(naive_url)
        assert _shape(pg_url) == _shape(naive_url)
        assert query(
            pg_url,
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'user_id'",
        ) == [("integer",)]
        for table, cols in (("users", "id, email, referrer_id"), ("orders", "id, user_id, total")):
            assert checksum(pg_url, f"({cols})", table) == checksum(naive_url, f"({cols})", table)
        out = api.rollback(str(root), env=pg_url, steps=len(result.written), yes=True)
        assert out.status == "rolled back", out.to_text()
        assert _shape(pg_url) == before
        _write(pg_url)  # the rolled-back schema takes writes too
    finally:
        drop_naive()


@pytest.mark.parametrize(
    ("setup", "named", "why"),
    [
        (
            (
                "CREATE UNIQUE INDEX users_tenant_id ON users (tenant, id)",
                "ALTER TABLE users ADD CONSTRAINT users_tenant_id_key UNIQUE USING INDEX users_tenant_id",
                "CREATE TABLE memberships (tenant int, user_id int, "
                "FOREIGN KEY (tenant, user_id) REFERENCES users (tenant, id))",
            ),
            "foreign key memberships_tenant_user_id_fkey of memberships",
            "composite",
        ),
        (
            (
                "CREATE TABLE events (id int, user_id int REFERENCES users (id)) PARTITION BY RANGE (id)",
                "CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (100)",
            ),
            "foreign key events_user_id_fkey of events",
            "partitioned table",
        ),
    ],
    ids=["composite", "partitioned"],
)
def test_type_change_of_a_key_whose_foreign_key_cannot_be_copied_online_is_refused(setup, named, why, pg_url, tmp_path):
    """A composite foreign key over the key column would need a multi-column unique index on the copy,
    which the plan does not build; one on a partitioned table cannot be added NOT VALID. Refused,
    naming it (not the keys that could be copied); nothing is written."""
    execute(
        pg_url,
        "CREATE TABLE users (id serial PRIMARY KEY, tenant int NOT NULL)",
        "CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users (id))",
        *setup,
    )
    root = make_project(tmp_path / "p", pg_url)
    with pytest.raises(DbmError) as err:
        api.plan(sql=KEY_CHANGE, project=str(root), env=pg_url, write=True)
    assert named in str(err.value) and why in str(err.value) and "orders" not in str(err.value)
    assert "Nothing was written" in err.value.unchanged and "maintenance window" in err.value.next_step
    assert not list((root / "migrations").iterdir())


def test_pending_migration_is_replaced_by_its_steps(pg_url, tmp_path, run_dbm):
    execute(pg_url, *SETUP)
    root = make_project(
        tmp_path / "p", pg_url, {"20260101000000_rename.sql": "-- UP\nALTER TABLE t RENAME COLUMN a TO c;\n"}
    )
    out = run_dbm("plan", "--pending", "--write", "--project", root, "--env", pg_url)
    assert out.returncode == 0, out.stderr
    names = sorted(p.name for p in (root / "migrations").iterdir())
    assert "20260101000000_rename.sql" not in names and len(names) == 4
    assert (root / ".dbm" / "replaced" / "20260101000000_rename.sql").is_file()


def test_mysql_plan_takes_instant_then_inplace_and_says_when_neither_is_possible(mysql_url, tmp_path):
    naive_url, drop_naive = new_database("mysql")
    change = "ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX t_m ON t (m);\nALTER TABLE t MODIFY n bigint NOT NULL;"
    setup = (
        "CREATE TABLE t (id int PRIMARY KEY AUTO_INCREMENT, n int NOT NULL, m int)",
        "INSERT INTO t (n, m) SELECT seq, seq % 7 FROM seq_1_to_500",
    )
    try:
        for url in (mysql_url, naive_url):
            execute(url, *setup)
        execute(naive_url, *change.split(";\n"))
        root = make_project(tmp_path / "p", mysql_url)
        result = api.plan(sql=change, project=str(root), env=mysql_url)
        rewrites = result.changes[0].plan.rewrites
        assert [rw.family for rw in rewrites] == ["instant", "inplace", "pt-online-schema-change"]
        assert "ALGORITHM=INSTANT" in rewrites[0].steps[0].up and "LOCK=NONE" in rewrites[1].steps[0].up
        assert "neither" in rewrites[2].why and rewrites[2].steps[0].engine is not None
        assert "mysql-index-without-online-options" in result.changes[0].removed
        # the probe's scratch database is gone (another test worker's may exist meanwhile: ours carry our pid)
        assert not query(mysql_url, f"SHOW DATABASES LIKE 'dbm\\_scratch\\_{os.getpid()}\\_%'")
        if shutil.which("pt-online-schema-change") is None:
            pytest.skip("pt-online-schema-change is not installed (.ci/run installs percona-toolkit)")
        out = api.plan(sql=change, project=str(root), env=mysql_url, apply=True, yes=True)
        assert out.status == "applied", out.to_text()
        shape = (
            "SELECT column_name, column_type, is_nullable FROM information_schema.columns WHERE table_schema = "
            "database() AND table_name = 't' ORDER BY column_name"
        )
        assert query(mysql_url, shape) == query(naive_url, shape)
        idx = "SELECT index_name, column_name FROM information_schema.statistics WHERE table_schema = database() AND table_name = 't' ORDER BY 1"
        assert query(mysql_url, idx) == query(naive_url, idx)
        rows = "SELECT sum(crc32(concat_ws(',', id, n, m))) FROM t"
        assert query(mysql_url, rows) == query(naive_url, rows)
    finally:
        drop_naive()


def test_apply_runs_every_step_in_one_go_and_replaces_the_pending_migration(pg_url, tmp_path, run_dbm):
    execute(pg_url, *SETUP)
    before = checksum(pg_url, "a", "t")
    root = make_project(
        tmp_path / "p", pg_url, {"20260101000000_rename.sql": "-- UP\nALTER TABLE t RENAME COLUMN a TO c;\n"}
    )
    waiting = run_dbm("plan", "--pending", "--apply", "--project", root, "--env", pg_url)
    assert waiting.returncode == 1 and "--yes" in waiting.stdout  # previewed, nothing ran or was written
    assert sorted(p.name for p in (root / "migrations").iterdir()) == ["20260101000000_rename.sql"]
    assert "a" in [
        r[0] for r in query(pg_url, "SELECT column_name FROM information_schema.columns WHERE table_name = 't'")
    ]
    out = run_dbm("plan", "--pending", "--apply", "--yes", "--project", root, "--env", pg_url)
    assert out.returncode == 0, out.stdout + out.stderr
    assert checksum(pg_url, "c", "t") == before
    assert "20260101000000_rename.sql" not in [p.name for p in (root / "migrations").iterdir()]
    status = api.status(str(root), env=pg_url).to_frame()
    assert len(status) == 4 and status["state"].eq("applied").all()  # the replaced migration never runs


def test_apply_in_production_needs_the_typed_name_and_takes_a_backup(pg_url, tmp_path, run_dbm):
    execute(pg_url, *SETUP)
    root = make_project(tmp_path / "p", pg_url, env_file=".env.production")
    sql = tmp_path / "c.sql"
    sql.write_text("CREATE INDEX t_m_idx ON t (m);\n")
    refused = run_dbm("plan", sql, "--apply", "--yes", "--project", root, "--env", "production")
    assert refused.returncode == 1 and "--confirm production" in refused.stdout
    assert query(pg_url, "SELECT count(*) FROM pg_indexes WHERE indexname = 't_m_idx'") == [(0,)]
    out = run_dbm("plan", sql, "--apply", "--confirm", "production", "--project", root, "--env", "production")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Backup taken before plan" in out.stdout
    assert query(pg_url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_m_idx'::regclass") == [(True,)]


@pytest.mark.parametrize(
    "statement", ["ALTER TABLE t RENAME COLUMN a TO c", "ALTER TABLE t ALTER COLUMN n TYPE bigint"]
)
def test_writers_keep_working_on_rows_the_backfill_has_not_reached(statement, pg_url, tmp_path):
    """After the expand step the new column's CHECK (NOT VALID) holds for every row written: old code
    updating another column of a row not yet backfilled must still succeed (the trigger fills it)."""
    execute(pg_url, *SETUP)
    root = make_project(tmp_path / "p", pg_url)
    result = api.plan(sql=statement, project=str(root), env=pg_url, write=True)
    first = result.written[0].rsplit("/", 1)[-1].split(".")[0]
    assert api.migrate(str(root), env=pg_url, to=first, yes=True).status == "applied"
    execute(pg_url, "UPDATE t SET m = 99 WHERE id = 5", "INSERT INTO t (a, n) VALUES ('new', 7)")
    new, old = ("c", "a") if "RENAME" in statement else ("n__new", "n")
    # exactly the two rows written since the expand have the new column, equal to the old one
    assert (
        query(pg_url, f"SELECT id > 1234 OR id = 5, {new} = {old} FROM t WHERE {new} IS NOT NULL") == [(True, True)] * 2
    )
