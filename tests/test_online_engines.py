"""The online schema-change engines, run for real through `dbm plan --apply`: pt-online-schema-change
for a MariaDB ALTER that can only copy the table, pg_repack for a PostgreSQL VACUUM FULL / CLUSTER.
Credentials reach them through a 0600 file only: a planted password shows up in no output."""

from __future__ import annotations

import shutil

import pytest

from conftest import missing
from dbmigrate_magic import masking
from tests.helpers import execute, make_project, query, with_password


@pytest.fixture(autouse=True)
def _engines_installed():
    """A skip on a developer's machine; a failure in CI (DBM_REQUIRE_SERVERS), where .ci/run installs them."""
    if not (shutil.which("pt-online-schema-change") and shutil.which("pg_repack")):
        missing("percona-toolkit and postgresql-15-repack are not installed (.ci/run installs them)")


SECRET = "Eng1ne-pw-planted"


def test_pt_online_schema_change_runs_a_copy_only_alter(mysql_url, tmp_path, run_dbm):
    execute(
        mysql_url,
        "CREATE TABLE t (id int PRIMARY KEY AUTO_INCREMENT, n int NOT NULL, m int)",
        "INSERT INTO t (n, m) SELECT seq, seq % 7 FROM seq_1_to_2000",
    )
    before = query(mysql_url, "SELECT sum(crc32(concat_ws(',', id, n, m))) FROM t")
    masking.register_secret(SECRET)
    root = make_project(tmp_path / "p", mysql_url)
    change = tmp_path / "c.sql"
    change.write_text("ALTER TABLE t MODIFY n bigint NOT NULL;\n")
    shown = run_dbm("plan", change, "--project", root, "--env", mysql_url)
    assert shown.returncode == 0, shown.stderr
    assert "pt-online-schema-change --alter 'MODIFY n bigint NOT NULL'" in shown.stdout
    out = run_dbm("plan", change, "--apply", "--yes", "--project", root, "--env", mysql_url)
    assert out.returncode == 0, out.stdout + out.stderr
    assert query(
        mysql_url,
        "SELECT column_type FROM information_schema.columns WHERE table_schema = database() "
        "AND table_name = 't' AND column_name = 'n'",
    ) == [("bigint(20)",)]
    assert query(mysql_url, "SELECT sum(crc32(concat_ws(',', id, n, m))) FROM t") == before


def test_pg_repack_runs_vacuum_full_and_cluster(pg_url, tmp_path, run_dbm):
    execute(
        pg_url,
        "CREATE TABLE t (id serial PRIMARY KEY, m integer, pad text)",
        "INSERT INTO t (m, pad) SELECT g % 97, repeat('x', 50) FROM generate_series(1, 5000) g",
        "CREATE INDEX t_m_idx ON t (m)",
        "DELETE FROM t WHERE id % 2 = 0",
    )
    before = query(pg_url, "SELECT md5(string_agg(id || ':' || m, ',' ORDER BY id)) FROM t")
    node = query(pg_url, "SELECT relfilenode FROM pg_class WHERE relname = 't'")
    masking.register_secret(SECRET)
    url = with_password(pg_url, SECRET)  # trust authentication ignores it; no output may show it
    root = make_project(tmp_path / "p", url)
    change = tmp_path / "c.sql"
    change.write_text("VACUUM FULL t;\nCLUSTER t USING t_m_idx;\n")
    shown = run_dbm("plan", change, "--project", root, "--env", url)
    assert shown.returncode == 0, shown.stderr
    assert "pg_repack -h 127.0.0.1 -p 5432 -U postgres" in shown.stdout and "--no-order" in shown.stdout
    out = run_dbm("plan", change, "--apply", "--yes", "--project", root, "--env", url)
    assert out.returncode == 0, out.stdout + out.stderr
    for text in (shown.stdout, shown.stderr, out.stdout, out.stderr):
        assert SECRET not in text
    assert query(pg_url, "SELECT relfilenode FROM pg_class WHERE relname = 't'") != node  # rewritten
    assert query(pg_url, "SELECT indisclustered FROM pg_index WHERE indexrelid = 't_m_idx'::regclass") == [(True,)]
    assert query(pg_url, "SELECT md5(string_agg(id || ':' || m, ',' ORDER BY id)) FROM t") == before
