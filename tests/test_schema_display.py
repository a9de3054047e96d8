"""What a user reads from a PostgreSQL diff: the change table (JSON, DataFrame) has one row per
change with the six columns, and the side-by-side HTML shows a changed table's added, removed and
changed columns, constraints and indexes in their colours, unchanged tables collapsed."""

from __future__ import annotations

import json
import re

import pytest

from conftest import new_database
from dbmigrate_magic import api
from dbmigrate_magic.display.schema_diff import COLOURS
from tests.schema_support import load

A_SQL = """
create table users (id int primary key, email text, legacy text, score int check (score > 0));
create index users_email on users (email);
create table same (a int);
"""
B_SQL = """
create table users (id bigint primary key, email text not null, name text, score int check (score > 1),
                    constraint users_email_key unique (email));
create index users_email on users (lower(email));
comment on column users.name is 'display name';
create table same (a int);
"""
ADDED, REMOVED, CHANGED = (COLOURS[state] for state in ("added", "removed", "changed"))


@pytest.fixture
def pg_two(pg_url):
    other, drop = new_database("postgres")
    load(pg_url, A_SQL)
    load(other, B_SQL)
    yield pg_url, other
    drop()


def row_colour(page: str, item: str) -> str | None:
    """The background of the side-by-side row for ``item`` ("column legacy"), None when plain."""
    m = re.search(r"<tr(?: style='background:([^']+)')?><td[^>]*><code>" + re.escape(item) + "</code>", page)
    assert m, f"{item} not shown"
    return m.group(1)


@pytest.mark.postgres
def test_change_table_one_row_per_change(pg_two, run_dbm):
    a, b = pg_two
    data = json.loads(run_dbm("diff", a, b, "--format", "json").stdout)
    rows = data["changes"]
    assert rows and all(list(r) == ["object_type", "schema", "name", "change", "detail", "destructive"] for r in rows)
    keys = [(r["object_type"], r["schema"], r["name"], r["change"]) for r in rows]
    assert len(keys) == len(set(keys)), "an object changed once is listed once"
    by = {(r["object_type"], r["name"], r["change"]): r for r in rows}
    assert by[("column", "users.legacy", "removed")]["destructive"] is True
    assert by[("column", "users.name", "added")]["destructive"] is False
    assert "integer -> bigint" in by[("column", "users.id", "changed")]["detail"]
    assert "not null" in by[("column", "users.email", "changed")]["detail"]
    assert by[("constraint", "users.users_email_key", "added")]["schema"] == "public"
    assert by[("constraint", "users.users_score_check", "changed")]["detail"] == "CHECK ((score > 1))"
    assert "lower(email)" in by[("index", "users_email", "changed")]["detail"]
    assert not any(r["name"].startswith("same") for r in rows)


@pytest.mark.postgres
def test_side_by_side_html_marks_each_item(pg_two, ipython):
    a, b = pg_two
    result = ipython.run_line_magic("dbm", f"diff {a} {b} --df changes")
    frame = ipython.user_ns["changes"]
    assert list(frame.columns) == ["object_type", "schema", "name", "change", "detail", "destructive"]
    assert len(frame) == len(result.changes) == len(api.diff(a, b).changes)
    page = result._repr_html_()
    assert page.index(result.summary_line()) < page.index("<strong>public.users</strong>")
    assert row_colour(page, "column legacy") == REMOVED
    assert row_colour(page, "column name") == ADDED and "display name" in page
    assert row_colour(page, "column id") == CHANGED and row_colour(page, "column email") == CHANGED
    assert row_colour(page, "column score") is None  # unchanged column shown plain
    assert row_colour(page, "unique users_email_key") == ADDED
    assert row_colour(page, "check users_score_check") == CHANGED
    assert row_colour(page, "index users_email") == CHANGED
    assert "<summary>1 unchanged tables</summary><div>public.same</div>" in page
