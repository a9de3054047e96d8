"""MySQL/MariaDB plan steps carry their reverse: on the real MariaDB every written step applies with
`migrate` (reaching the naive change's schema) and rolls back with `rollback` (reaching the schema
it started from, rows intact); a step that drops something says its reverse does not bring the data
back, and a statement with no reverse says so."""

from __future__ import annotations

from conftest import new_database
from dbmigrate_magic import api
from tests.helpers import execute, make_project, query

SETUP = (
    "CREATE TABLE t (id int PRIMARY KEY AUTO_INCREMENT, n int NOT NULL, m int, name varchar(40), old_col int)",
    "INSERT INTO t (n, m, name, old_col) SELECT seq, seq % 7, concat('u', seq), seq FROM seq_1_to_500",
)
CHANGE = (
    "ALTER TABLE t ADD COLUMN c int",
    "CREATE INDEX t_m ON t (m)",
    "ALTER TABLE t RENAME COLUMN name TO full_name",
    "ALTER TABLE t DROP COLUMN old_col",
)
SHAPE = (
    "SELECT column_name, column_type, is_nullable, ordinal_position FROM information_schema.columns "
    "WHERE table_schema = database() AND table_name = 't' ORDER BY column_name"
)
INDEXES = (
    "SELECT index_name, column_name, non_unique FROM information_schema.statistics "
    "WHERE table_schema = database() AND table_name = 't' ORDER BY 1, 2"
)
ROWS = "SELECT count(*), sum(crc32(concat_ws(',', id, n, m))) FROM t"


def test_each_step_applies_and_rolls_back_on_mariadb(mysql_url, tmp_path):
    naive_url, drop_naive = new_database("mysql")
    try:
        for url in (mysql_url, naive_url):
            execute(url, *SETUP)
        execute(naive_url, *CHANGE)
        before = [query(mysql_url, q) for q in (SHAPE, INDEXES, ROWS)]
        root = make_project(tmp_path / "p", mysql_url)
        result = api.plan(sql=";\n".join(CHANGE) + ";", project=str(root), env=mysql_url, write=True)
        steps = result.changes[0].plan.steps
        assert all(s.down for s in steps), [(s.name, s.down) for s in steps]
        assert "RENAME COLUMN full_name TO name" in steps[2].down  # a rename goes back by name, data kept
        assert steps[3].down.startswith("-- ") and "not its data" in steps[3].down
        assert any("not its data" in n for rw in result.changes[0].plan.rewrites for n in rw.notes)
        out = api.migrate(str(root), env=mysql_url, yes=True)
        assert out.status == "applied", out.to_text()
        for q in (SHAPE, INDEXES, ROWS):
            assert query(mysql_url, q) == query(naive_url, q)
        out = api.rollback(str(root), env=mysql_url, steps=len(result.written), yes=True)
        assert out.status == "rolled back", out.to_text()
        assert [query(mysql_url, q) for q in (SHAPE, INDEXES, ROWS)] == before
        assert query(mysql_url, "SELECT count(*) FROM t WHERE name = concat('u', id)") == [(500,)]
    finally:
        drop_naive()


def test_a_statement_with_no_reverse_says_so(mysql_url, tmp_path):
    execute(mysql_url, *SETUP)
    root = make_project(tmp_path / "p", mysql_url)
    result = api.plan(sql="UPDATE t SET m = 0;", project=str(root), env=mysql_url)
    rewrite = result.changes[0].plan.rewrites[0]
    assert rewrite.steps[0].down is None
    assert any("no reverse" in n for n in rewrite.notes), rewrite.notes
