"""Writing, previewing, applying, rolling back and faking Django migrations through the adapter,
with the real ``manage.py`` as the judge, on PostgreSQL, MariaDB and SQLite."""

from __future__ import annotations

import pytest

from dbmigrate_magic.adapters.django.adapter import DjangoAdapter
from dbmigrate_magic.db import Database
from dbmigrate_magic.errors import UnsupportedOperation, UsageProblem
from tests import django_project as dj
from tests.helpers import tables
from tests.test_django_status import build


def marks(root, url) -> dict[str, bool]:
    return {name: done for done, name in dj.showmigrations_plan(root, url)}


def test_write_preview_apply_rollback_fake(db_url, tmp_path):
    root = build(tmp_path / "proj", db_url)
    adapter = DjangoAdapter(root)
    db = Database(db_url)
    with pytest.raises(UsageProblem):  # two apps with migrations: which one?
        adapter.new_migration("add_notes", "CREATE TABLE shop_note (id int)", "DROP TABLE shop_note")
    adapter.app = "shop"
    path = adapter.new_migration("add_notes", "CREATE TABLE shop_note (\n  id int\n)", "DROP TABLE shop_note")
    assert path.name == "0004_add_notes.py"
    assert marks(root, db_url)["shop.0004_add_notes"] is False  # Django lists what we wrote
    assert adapter.find_migration("add_notes", "CREATE TABLE shop_note (\n  id int\n)", None).path == path

    plan = adapter.plan_apply(db)
    by_id = {s.migration: s for s in plan}
    assert "CREATE TABLE shop_note" in by_id["shop.0004_add_notes"].sql
    assert [s.migration for s in plan] == [m for _, m in dj.showmigrations_plan(root, db_url)]
    assert "shop_note" not in tables(db_url)

    outcomes = adapter.apply(db, plan)
    assert {o.state for o in outcomes} == {"applied"}
    assert all(marks(root, db_url).values())
    assert "shop_note" in tables(db_url)

    back = adapter.plan_rollback(db)
    assert [s.migration for s in back] == ["shop.0004_add_notes"]
    assert "DROP TABLE shop_note" in back[0].sql
    assert [o.state for o in adapter.rollback(db, back)] == ["rolled_back"]
    assert marks(root, db_url)["shop.0004_add_notes"] is False
    assert "shop_note" not in tables(db_url)

    adapter.resolve(db, "shop.0004_add_notes", "applied")  # migrate --fake
    assert marks(root, db_url)["shop.0004_add_notes"] is True and "shop_note" not in tables(db_url)
    adapter.resolve(db, "0004_add_notes", "rolled_back")
    assert marks(root, db_url)["shop.0004_add_notes"] is False

    dj.manage(root, db_url, "migrate")  # the tool applies; our status agrees
    assert {r.state for r in adapter.history(db).rows} == {"applied"}

    # back to a target in one app: what depends on it in other apps goes first, as Django does it
    back = adapter.plan_rollback(db, target="shop.0001_initial")
    ids = [s.migration for s in back]
    assert set(ids) == {
        "shop.0002_add_price",
        "shop.0003_add_stock",
        "shop.0004_add_notes",
        "blog.0001_initial",
        "blog.0002_author",
    }
    assert ids.index("blog.0001_initial") < ids.index("shop.0002_add_price")
    assert {o.state for o in adapter.rollback(db, back)} == {"rolled_back"}
    assert [m for m, done in marks(root, db_url).items() if done and m.startswith(("shop", "blog"))] == [
        "shop.0001_initial"
    ]
    adapter.apply(db, adapter.plan_apply(db))

    # a migration without a down part cannot be rolled back: said before anything runs
    adapter.app = "blog"
    adapter.new_migration("one_way", "CREATE TABLE blog_once (id int)", None)
    adapter.apply(db, adapter.plan_apply(db))
    for kwargs in ({}, {"target": "shop.0001_initial"}):
        with pytest.raises(UnsupportedOperation) as err:
            adapter.plan_rollback(db, **kwargs)
        assert "blog.0003_one_way" in err.value.what and err.value.next_step
    assert "blog_once" in tables(db_url) and all(marks(root, db_url).values())


def test_baseline_fakes_everything(sqlite_url, tmp_path):
    root = build(tmp_path / "proj", sqlite_url)
    adapter = DjangoAdapter(root)
    db = Database(sqlite_url)
    adapter.baseline(db)
    assert all(marks(root, sqlite_url).values())
    assert "shop_item" not in tables(sqlite_url)


@pytest.mark.postgres
def test_failing_migration_rolls_back_and_is_masked(pg_url, tmp_path):
    secret_url = pg_url.replace("postgres@", "postgres:Pl4ntedSecret@")
    root = build(tmp_path / "proj", "sqlite:///unused.db")
    adapter = DjangoAdapter(root)
    adapter.app = "shop"
    adapter.new_migration("broken", "CREATE TABLE shop_half (id int); SELECT * FROM no_such_table", "SELECT 1")
    db = Database(secret_url)
    outcomes = adapter.apply(db, adapter.plan_apply(db))
    failed = [o for o in outcomes if o.state == "failed"]
    assert [o.migration for o in failed] == ["shop.0004_broken"]
    assert "no_such_table" in failed[0].error and "Pl4ntedSecret" not in failed[0].error
    assert "shop_half" not in tables(pg_url)  # Django's atomic migration was rolled back
    assert "shop_item" in tables(pg_url)  # the ones before it stay applied
