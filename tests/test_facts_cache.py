"""``dbm status`` keeps what it read from each Alembic revision and Django migration, and each
Drizzle file's hash, in ``.dbm/cache`` (by file size and mtime): an edited, added or removed file must be read anew, and a
broken cache must only make the listing slower, never wrong."""

from __future__ import annotations

import os

import pytest

from dbmigrate_magic.api import status
from tests import alembic_project as ap
from tests import django_project as dj
from tests.drizzle_kit import DrizzleProject


def _revision(root, rev: str, down: str | None, message: str) -> None:
    (root / "alembic" / "versions" / f"{rev}_x.py").write_text(
        f'"""{message}"""\nrevision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n'
        "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )


def _listed(root) -> list[tuple[str, str | None]]:
    return [(r.migration, r.extra.get("message")) for r in status(root).rows]


def test_alembic_edits_after_a_cached_listing_are_seen(tmp_path):
    root = ap.init(tmp_path / "proj", f"sqlite:///{tmp_path / 'dev.db'}")
    _revision(root, "aaa1", None, "first")
    _revision(root, "bbb2", "aaa1", "second")
    assert _listed(root) == [("aaa1", "first"), ("bbb2", "second")]
    assert (root / ".dbm" / "cache" / "alembic-facts.json").is_file()
    assert (root / ".dbm" / ".gitignore").read_text() == "*\n"  # local state, never committed

    # same size, same second: only the mtime in nanoseconds tells the edit apart
    path = root / "alembic" / "versions" / "bbb2_x.py"
    before = path.stat()
    _revision(root, "bbb2", "aaa1", "secont")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1))
    _revision(root, "ccc3", "bbb2", "third")  # added
    assert _listed(root) == [("aaa1", "first"), ("bbb2", "secont"), ("ccc3", "third")]

    (root / "alembic" / "versions" / "ccc3_x.py").unlink()  # removed
    _revision(root, "bbb2", None, "now a root")  # re-parented: a different graph
    _revision(root, "aaa1", "bbb2", "now second")
    assert _listed(root) == [("bbb2", "now a root"), ("aaa1", "now second")]


def test_a_broken_or_foreign_cache_is_a_cold_cache(tmp_path):
    root = ap.init(tmp_path / "proj", f"sqlite:///{tmp_path / 'dev.db'}")
    _revision(root, "aaa1", None, "first")
    cache = root / ".dbm" / "cache" / "alembic-facts.json"
    cache.parent.mkdir(parents=True)
    for text in ("{not json", '{"key": "another version", "files": {}}', "[]"):
        cache.write_text(text)
        assert _listed(root) == [("aaa1", "first")]
    cache.write_text('{"key": "x", "files": {"%s": [1, 2, ["zzz", [], [], [], "forged"]]}}' % (root / "x.py"))
    assert _listed(root) == [("aaa1", "first")]


def test_django_dependency_edits_after_a_cached_listing_are_seen(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    root = dj.startproject(tmp_path / "site", url, ["shop"])
    dj.migration(root, "shop", "0001_a", [], "SELECT 1", "SELECT 1")
    dj.migration(root, "shop", "0002_b", [("shop", "0001_a")], "SELECT 1", "SELECT 1")
    dj.migration(root, "shop", "0003_c", [("shop", "0001_a")], "SELECT 1", "SELECT 1")
    first = [r.migration for r in status(root).rows if r.migration.startswith("shop.")]
    assert (root / ".dbm" / "cache" / "django-facts.json").is_file()
    assert first.index("shop.0001_a") < first.index("shop.0002_b")

    # 0002 now comes after 0003: only a re-read of the edited file can order them so
    dj.migration(root, "shop", "0002_b", [("shop", "0003_c")], "SELECT 1", "SELECT 1")
    again = [r.migration for r in status(root).rows if r.migration.startswith("shop.")]
    assert again.index("shop.0003_c") < again.index("shop.0002_b")


@pytest.mark.node
def test_drizzle_hashes_are_taken_again_for_a_file_edited_after_a_cached_listing(tmp_path):
    project = DrizzleProject(tmp_path / "app", f"sqlite:///{tmp_path / 'dev.db'}")
    project.schema({"users": ["name"]})
    sql = project.generate("create_users")
    project.migrate()
    assert [(r.state, r.checksum_ok) for r in status(project.root).rows] == [("applied", True)]
    assert (project.root / ".dbm" / "cache" / "drizzle-facts.json").is_file()

    before = sql.stat()
    text = sql.read_text()
    sql.write_text(text.replace("users", "usert"))  # same size
    os.utime(sql, ns=(before.st_atime_ns, before.st_mtime_ns + 1))
    assert [(r.state, r.checksum_ok) for r in status(project.root).rows] == [("modified", False)]
