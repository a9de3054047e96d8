"""``dbm status`` on Django projects migrated by the real ``manage.py migrate``, on all three databases,
checked row by row against ``manage.py showmigrations --plan``."""

from __future__ import annotations

import datetime as dt

from tests import django_project as dj
from tests.helpers import status_json


def ours(data: dict) -> list[tuple[bool, str]]:
    return [(r["state"] == "applied", r["migration"]) for r in data["migrations"] if r["state"] != "missing"]


def build(root, url):
    dj.startproject(root, url, ["shop", "blog"])
    dj.migration(root, "shop", "0001_initial", [], "CREATE TABLE shop_item (id int)", "DROP TABLE shop_item")
    dj.migration(
        root,
        "shop",
        "0002_add_price",
        [("shop", "0001_initial")],
        "CREATE TABLE shop_price (id int)",
        "DROP TABLE shop_price",
    )
    dj.migration(
        root,
        "shop",
        "0003_add_stock",
        [("shop", "0002_add_price")],
        "CREATE TABLE shop_stock (id int)",
        "DROP TABLE shop_stock",
    )
    dj.migration(
        root,
        "blog",
        "0001_initial",
        [("shop", "0002_add_price")],
        "CREATE TABLE blog_post (id int)",
        "DROP TABLE blog_post",
    )
    dj.migration(
        root,
        "blog",
        "0002_author",
        [("blog", "0001_initial")],
        "CREATE TABLE blog_author (id int)",
        "DROP TABLE blog_author",
        swappable_user=True,
    )
    return root


def squash(root):
    dj.migration(
        root,
        "shop",
        "0001_squashed_0003_add_stock",
        [],
        "CREATE TABLE shop_item (id int); CREATE TABLE shop_price (id int); CREATE TABLE shop_stock (id int)",
        "DROP TABLE shop_stock; DROP TABLE shop_price; DROP TABLE shop_item",
        replaces=[("shop", "0001_initial"), ("shop", "0002_add_price"), ("shop", "0003_add_stock")],
    )


def test_status_matches_showmigrations(db_url, tmp_path, run_dbm):
    root = build(tmp_path / "proj", db_url)
    data = status_json(run_dbm, root)
    assert not data["summary"]["table_exists"]
    assert ours(data) == dj.showmigrations_plan(root, db_url)
    assert {r["state"] for r in data["migrations"]} == {"pending"}
    assert any(m == "auth.0001_initial" for _, m in ours(data))  # apps installed from site-packages too

    dj.manage(root, db_url, "migrate", "shop", "0002_add_price")
    data = status_json(run_dbm, root)
    assert ours(data) == dj.showmigrations_plan(root, db_url)
    applied = [r for r in data["migrations"] if r["state"] == "applied"]
    assert {r["migration"] for r in applied} >= {"shop.0001_initial", "shop.0002_add_price"}
    now = dt.datetime.now(dt.UTC)
    for r in applied:
        when = dt.datetime.fromisoformat(r["applied_at"])
        assert when.utcoffset() == dt.timedelta(0) and abs(now - when) < dt.timedelta(hours=1)
        assert r["checksum_ok"] is None
    assert {r["app"] for r in data["migrations"]} >= {"shop", "blog", "auth", "contenttypes"}

    squash(root)  # partly applied squash: Django keeps the replaced migrations
    data = status_json(run_dbm, root)
    assert ours(data) == dj.showmigrations_plan(root, db_url)
    assert "shop.0001_squashed_0003_add_stock" not in [m for _, m in ours(data)]

    dj.manage(root, db_url, "migrate")  # now the squash stands in for all three, applied
    data = status_json(run_dbm, root)
    assert ours(data) == dj.showmigrations_plan(root, db_url)
    rows = {r["migration"]: r for r in data["migrations"]}
    assert rows["shop.0001_squashed_0003_add_stock"]["state"] == "applied"
    assert "shop.0002_add_price" not in rows  # replaced, recorded, not missing
    assert data["summary"]["position"] == "up to date"

    # edit an applied file: Django keeps no checksum
    path = root / "blog" / "migrations" / "0002_author.py"
    path.write_text(path.read_text().replace("blog_author (id int)", "blog_author (id bigint)"))
    assert status_json(run_dbm, root)["summary"]["position"] == "up to date"

    # add one: pending; apply it with Django; delete it: missing
    dj.migration(
        root, "blog", "0003_tags", [("blog", "0002_author")], "CREATE TABLE blog_tag (id int)", "DROP TABLE blog_tag"
    )
    data = status_json(run_dbm, root)
    assert ours(data) == dj.showmigrations_plan(root, db_url)
    assert [r["migration"] for r in data["migrations"] if r["state"] == "pending"] == ["blog.0003_tags"]
    dj.manage(root, db_url, "migrate", "blog")
    (root / "blog" / "migrations" / "0003_tags.py").unlink()
    data = status_json(run_dbm, root)
    assert ours(data) == dj.showmigrations_plan(root, db_url)
    missing = [r for r in data["migrations"] if r["state"] == "missing"]
    assert [(r["migration"], r["file"]) for r in missing] == [("blog.0003_tags", None)]
    assert data["summary"]["position"] == "ahead"


def test_non_literal_settings_ask_django(tmp_path, run_dbm, sqlite_url):
    root = build(tmp_path / "proj", sqlite_url)
    settings = root / "mysite" / "settings.py"
    settings.write_text(settings.read_text().replace('    "blog",\n]', ']\nINSTALLED_APPS += ["blog"]'))
    dj.manage(root, sqlite_url, "migrate", "shop")
    squash(root)
    data = status_json(run_dbm, root)
    assert ours(data) == dj.showmigrations_plan(root, sqlite_url)
    assert any("read by loading Django" in n for n in data["summary"]["notes"])


FACT_CASES = {
    "makemigrations shape": "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n\n"
    "    dependencies = [\n        ('shop', '0001_initial'),\n    ]\n\n"
    "    operations = [\n        migrations.RunSQL('SELECT 1'),\n    ]\n",
    "one line": "from django.db import migrations\n\nclass Migration(migrations.Migration):\n"
    "    dependencies = [('a', '0001'), ('b', '0002')]\n    replaces = [('a', 'x')]\n",
    "swappable": "from django.conf import settings\nfrom django.db import migrations\n\n"
    "class Migration(migrations.Migration):\n    dependencies = [\n"
    "        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n        ('a', '0001'),\n    ]\n",
    "two classes": "from django.db import migrations\n\nclass Helper:\n    dependencies = [('x', 'y')]\n\n"
    "class Migration(migrations.Migration):\n    dependencies = [('a', '0001')]\n",
    "reassigned": "from django.db import migrations\n\nclass Migration(migrations.Migration):\n"
    "    dependencies = [('a', '0001')]\n    dependencies = [('a', '0002')]\n",
    "tuple": "from django.db import migrations\n\nclass Migration(migrations.Migration):\n"
    "    dependencies = (\n        ('a', '0001'),\n    )\n    run_before = [('b', '0001')]\n",
}


def test_fast_django_scan_agrees_with_ast():
    from dbmigrate_magic.adapters.django.graph import ast_facts, fast_facts

    answered = 0
    for name, source in FACT_CASES.items():
        fast = fast_facts(source, "auth.User")
        if fast is not None:
            answered += 1
            assert fast == ast_facts(source, "auth.User"), name
    assert answered >= 4  # the usual shapes take the cheap path
