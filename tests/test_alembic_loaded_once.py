"""Alembic revisions are imported once per `dbm migrate --yes` / `dbm rollback --yes` (the preview's
render and the run share them, as often as Alembic's own command imports them), and a revision
edited between a preview and the run is imported again, so the run never uses a stale module."""

from __future__ import annotations

from pathlib import Path

from tests import alembic_project as ap
from tests.helpers import tables

#: a module-level line that counts each import of the revision module in a file beside it
COUNT = "open({path!r}, 'a').write('{rev}\\n')\n"


def _project(root: Path, url: str, count: Path) -> list[str]:
    ap.init(root, url)
    revs = []
    for i, rev in enumerate(("a1", "b2", "c3")):
        path = ap.revision(root, rev, f"t{i}", up=f"CREATE TABLE t{i} (id int)", down=f"DROP TABLE t{i}")
        path.write_text(COUNT.format(path=str(count), rev=rev) + path.read_text())
        revs.append(rev)
    return revs


def _imports(count: Path) -> dict[str, int]:
    lines = count.read_text().split() if count.exists() else []
    count.unlink(missing_ok=True)
    return {rev: lines.count(rev) for rev in sorted(set(lines))}


def test_migrate_and_rollback_import_each_revision_as_often_as_alembic(tmp_path, run_dbm):
    count = tmp_path / "imports.txt"
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    revs = _project(ours, f"sqlite:///{tmp_path / 'ours.db'}", count)
    _project(theirs, f"sqlite:///{tmp_path / 'theirs.db'}", count)
    _imports(count)

    ap.cli(theirs, "upgrade", "head")
    alembic_up = _imports(count)
    assert alembic_up == dict.fromkeys(revs, 1)
    out = run_dbm("migrate", ours, "--yes")
    assert out.returncode == 0, out.stderr + out.stdout
    assert _imports(count) == alembic_up  # the preview's render and the run: one import each
    assert {"t0", "t1", "t2"} <= tables(f"sqlite:///{tmp_path / 'ours.db'}")

    ap.cli(theirs, "downgrade", "base")
    alembic_down = _imports(count)
    out = run_dbm("rollback", ours, "--steps", "3", "--yes")
    assert out.returncode == 0, out.stderr + out.stdout
    assert _imports(count) == alembic_down == dict.fromkeys(revs, 1)
    assert not {"t0", "t1", "t2"} & tables(f"sqlite:///{tmp_path / 'ours.db'}")


def test_revision_edited_after_the_preview_is_loaded_again(tmp_path):
    from dbmigrate_magic import api

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    root = ap.init(tmp_path / "proj", url)
    path = ap.revision(root, "a1", "first", up="CREATE TABLE before_edit (id int)", down="DROP TABLE before_edit")
    preview = api.migrate(root, env=url, dry_run=True)  # in one process, as in a notebook kernel
    assert "before_edit" in preview.preview.steps[0].sql

    ap.set_bodies(path, "CREATE TABLE after_the_edit (id int)", "DROP TABLE after_the_edit")
    done = api.migrate(root, env=url, yes=True)
    assert "after_the_edit" in done.preview.steps[0].sql  # the preview shown is the file as it is now
    assert "after_the_edit" in tables(url) and "before_edit" not in tables(url)  # and so is what ran
