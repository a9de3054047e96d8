"""The runbook as a record, in a real JupyterLab driven by a real browser (Debian's chromium).

A person opens a runbook, runs its cells one by one, types the production environment's name and
presses Apply; the database changes; the notebook is saved and reopened, and what was applied,
where, when, by whom and the backup are still there as ordinary outputs (also in nbconvert's HTML),
with no widget left behind. A failed cell migration can be cancelled, which removes its file.
Screenshots (light and dark theme) are kept as artefacts under $DBM_ARTIFACTS, outside git.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys

import pytest

from tests.browser import (
    CHROMIUM,
    DARK,
    LIGHT,
    Notebook,
    artifacts_dir,
    require_browser,
    start_lab,
    stop_lab,
    write_notebook,
)
from tests.helpers import make_project, tables

USERS = "-- UP\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n-- DOWN\nDROP TABLE users;\n"
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_browser()
    root = tmp_path_factory.mktemp("lab")
    served = start_lab(root / "", tmp_path_factory.mktemp("labhome"))
    yield served
    stop_lab(served)


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()


def project(lab, name: str):
    """A raw SQL project in the served folder: a development and an existing production SQLite database."""
    root = make_project(lab.root / name, "sqlite:///dev.db", {"20250101000000_users.sql": USERS})
    (root / ".env.production").write_text("DATABASE_URL=sqlite:///prod.db\n")
    with sqlite3.connect(root / "prod.db") as conn:
        conn.execute("CREATE TABLE existing (id INTEGER PRIMARY KEY)")
    return root


def texts(cell: dict) -> str:
    """Every text/plain and text/html of a stored cell's outputs, joined: what a reader without a kernel sees."""
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        out += ["".join(data.get("text/plain", "")), "".join(data.get("text/html", "")), "".join(o.get("text", ""))]
    return "\n".join(out)


def test_production_apply_is_kept_in_the_saved_notebook(lab, page):
    root = project(lab, "prod_app")
    name = "prod_app/runbook.ipynb"
    write_notebook(
        root / "runbook.ipynb",
        [
            "%load_ext dbmigrate_magic",
            "%%dbm migrate --env production\nCREATE TABLE orders (id INTEGER PRIMARY KEY, total NUMERIC);",
            "%dbm status --envs development,production",
            "%dbm migrate --yes",
            f"%dbm diff sqlite:///{root / 'dev.db'} sqlite:///{root / 'prod.db'}",
        ],
    )
    lab.set_theme(LIGHT)
    nb = Notebook.open(page, lab, name)
    nb.run(0)
    nb.run(1)
    out = nb.output(1)
    out.get_by_text("awaiting confirmation").wait_for()
    apply = out.get_by_role("button", name="Apply")
    assert apply.is_disabled()  # production: Apply waits for the typed name
    nb.shot("migrate_preview_light")
    out.locator("input").fill("production")
    apply.click()
    out.get_by_text(re.compile(r"^Ran \d{4}-")).wait_for(timeout=60_000)
    assert {"users", "orders"} <= tables(f"sqlite:///{root / 'prod.db'}")
    assert out.get_by_role("button").count() == 0  # the buttons are gone once applied
    nb.shot("migrate_applied_light")
    nb.run(2)
    matrix = nb.output(2)
    matrix.locator("svg circle").first.wait_for()
    assert "pending" in matrix.inner_text() and "applied" in matrix.inner_text()
    matrix.screenshot(path=str(artifacts_dir() / "status_matrix_light.png"))
    nb.run(3)  # development catches up; production also has a table no migration made
    nb.output(3).get_by_text(re.compile(r"^Ran \d{4}-")).wait_for(timeout=60_000)
    nb.run(4)
    diff = nb.output(4)
    diff.get_by_text("existing").first.wait_for()
    diff.screenshot(path=str(artifacts_dir() / "diff_light.png"))

    stored = nb.save()
    record = texts(stored["cells"][1])
    assert "migrate: applied" in record and "Backup taken before migrate" in record
    assert "by " in record and "on production (sqlite:///" in record
    assert "VBox(" not in record and "HBox(" not in record and "awaiting confirmation" not in record
    assert not any(WIDGET in o.get("data", {}) for o in stored["cells"][1]["outputs"])

    html = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--stdout", str(root / "runbook.ipynb")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "applied" in html and "Backup taken before migrate" in html and "monospace" in html

    page.reload()  # reopened: the record is there without a kernel having run anything
    reopened = Notebook.open(page, lab, name)
    record_shown = reopened.output(1)
    record_shown.get_by_text(re.compile(r"^Ran \d{4}-")).first.wait_for()  # outputs render after the cells
    shown = record_shown.inner_text()
    assert "applied" in shown and "Ran " in shown and "Error displaying widget" not in shown


def test_failed_cell_migration_can_be_cancelled_and_its_file_goes(lab, page):
    root = project(lab, "dev_app")
    name = "dev_app/runbook.ipynb"
    write_notebook(
        root / "runbook.ipynb",
        [
            "%load_ext dbmigrate_magic",
            "%%dbm migrate --name broken\nCREATE TABLE broken (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);",
            f"%dbm diff sqlite:///{root / 'dev.db'} sqlite:///{root / 'prod.db'}",
            "%%dbm migrate --name tags --yes\nCREATE TABLE tags (id INTEGER PRIMARY KEY);",
            "%dbm status --envs development,production",
        ],
    )
    lab.set_theme(DARK)
    nb = Notebook.open(page, lab, name)
    nb.run(0)
    nb.run(1)
    out = nb.output(1)
    nb.shot("migrate_preview_dark")
    out.get_by_role("button", name="Apply").click()
    out.get_by_text("no such table: nowhere").first.wait_for(timeout=60_000)
    written = list((root / "migrations").glob("*_broken.sql"))
    assert len(written) == 1  # failed and rolled back: the file stays until fixed or cancelled
    assert "broken" not in tables(f"sqlite:///{root / 'dev.db'}")
    nb.shot("migrate_failed_dark")
    out.get_by_role("button", name="Cancel: remove the file").click()
    out.get_by_text("Removed").wait_for()
    assert not written[0].exists()
    nb.run(2)
    nb.output(2).get_by_text("existing").first.wait_for()
    nb.output(2).screenshot(path=str(artifacts_dir() / "diff_dark.png"))
    nb.run(3)
    nb.output(3).get_by_text(re.compile(r"^Ran \d{4}-")).wait_for()
    nb.output(3).screenshot(path=str(artifacts_dir() / "migrate_applied_dark.png"))
    nb.run(4)
    nb.output(4).locator("svg circle").first.wait_for()
    nb.output(4).screenshot(path=str(artifacts_dir() / "status_matrix_dark.png"))
    stored = nb.save()
    record = texts(stored["cells"][1])
    assert "failed" in record and "Removed migrations/" in record and "VBox(" not in record
    assert json.dumps(stored).count(WIDGET) == 0


def test_apply_shows_busy_progress_and_who_holds_the_lock(lab, page, pg_url):
    import sqlalchemy as sa

    root = make_project(lab.root / "pg_app", pg_url, {"20250101000000_users.sql": USERS})
    name = "pg_app/runbook.ipynb"
    write_notebook(
        root / "runbook.ipynb",
        [
            "import os\nos.environ['DBM_LOCK_TIMEOUT'] = '60'  # one long wait on a busy machine\n"
            "%load_ext dbmigrate_magic\n%dbm migrate --yes",
            "%%dbm migrate --name email\nALTER TABLE users ADD COLUMN email TEXT;",
        ],
    )
    lab.set_theme(LIGHT)
    nb = Notebook.open(page, lab, name)
    nb.run(0)
    nb.output(0).get_by_text(re.compile(r"^Ran \d{4}-")).wait_for(timeout=120_000)  # users exists before we lock it
    nb.run(1)
    engine = sa.create_engine(pg_url)
    holder = engine.connect()
    try:
        holder.begin()
        holder.execute(sa.text("SELECT * FROM users"))  # an open transaction holds the table's lock
        pid = holder.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        out = nb.output(1)
        out.get_by_role("button", name="Apply").click()
        out.get_by_text(f"waiting for a lock: session {pid}").wait_for(timeout=60_000)
        assert out.get_by_role("button", name="Applying…").is_disabled()
        assert out.get_by_role("button", name="Cancel").is_disabled()
        assert "step 1 of 1: " in out.inner_text()
        out.screenshot(path=str(artifacts_dir() / "migrate_lock_wait_light.png"))
    finally:
        holder.rollback()  # the lock goes: the waiting ALTER goes on
        holder.close()
        engine.dispose()
    out.get_by_text(re.compile(r"^Ran \d{4}-")).wait_for(timeout=60_000)
    engine = sa.create_engine(pg_url)
    try:
        assert "email" in [c["name"] for c in sa.inspect(engine).get_columns("users")]
    finally:
        engine.dispose()
