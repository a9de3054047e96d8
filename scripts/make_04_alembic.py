"""Writes notebooks/04_alembic.ipynb (no outputs): ``python scripts/make_04_alembic.py``."""

from pathlib import Path

from make_notebook import write

CELLS = [
    (
        "md",
        "# Alembic runbook: status, preview, migrate (SQLite)\n\n"
        "Works on a working copy of `examples/alembic_app` (an `alembic init` project with two revisions and "
        "`sqlalchemy.url` pointing at a SQLite file), made once under `.cache/`, so the example stays clean. "
        "Re-running the notebook applies nothing twice.",
    ),
    (
        "code",
        "import shutil, subprocess, sys\nfrom pathlib import Path\n\n"
        "project = Path('../.cache/alembic_app')\n"
        "if not project.exists():\n"
        "    shutil.copytree('../examples/alembic_app', project,\n"
        "                    ignore=shutil.ignore_patterns('dev.db', '__pycache__'))\n"
        "%load_ext dbmigrate_magic",
    ),
    ("md", "## Which tool, which connection?"),
    ("code", "detected = %dbm detect {project}\nassert detected.tool == 'alembic', detected\ndetected"),
    (
        "md",
        "## History from the revision graph\n"
        "Alembic keeps only the current head(s) in `alembic_version`; `status` walks the revision graph "
        "(read without importing the revision files) to show every revision: applied, pending, missing.",
    ),
    (
        "code",
        "%dbm status {project} --df history\n"
        "assert len(history) >= 2 and set(history.state) <= {'applied', 'pending'}, history\n"
        "history[['migration', 'state', 'down_revision', 'is_head', 'is_current', 'message']]",
    ),
    (
        "md",
        "## Preview, then apply\n`--dry-run` shows the SQL from Alembic's offline mode and runs nothing; "
        "`--yes` confirms (a production environment would need `--confirm <name>`).",
    ),
    (
        "code",
        "result = %dbm migrate {project} --dry-run\n"
        "assert result.status in ('dry run', 'up to date'), result.message  # up to date on a re-run\nresult",
    ),
    (
        "code",
        "result = %dbm migrate {project} --yes\nassert result.status in ('applied', 'up to date'), result.message\nresult",
    ),
    (
        "md",
        "## A cell becomes an Alembic revision\nThe SQL below is written as a revision chained to the "
        "current head (through `alembic revision`), previewed and applied. Running the cell again finds "
        "the same revision and applies nothing.",
    ),
    (
        "code",
        "%%dbm migrate --project {project} --name add_order_notes --yes\n"
        "-- UP\nCREATE TABLE order_notes (\n    id INTEGER PRIMARY KEY,\n"
        "    order_id INTEGER NOT NULL REFERENCES orders (id),\n    body TEXT\n);\n"
        "-- DOWN\nDROP TABLE order_notes;",
    ),
    ("md", "## Alembic agrees\nAlembic's own `current` and `history` see the same head and revisions."),
    (
        "code",
        "for args in (['current'], ['history']):\n"
        "    out = subprocess.run([sys.executable, '-m', 'alembic', *args], cwd=project,\n"
        "                         capture_output=True, text=True)\n"
        "    assert out.returncode == 0, out.stderr\n"
        "    print(out.stdout)\n"
        "assert 'add_order_notes' in out.stdout, out.stdout",
    ),
    (
        "code",
        "status = %dbm status {project}\n"
        "assert status.position == 'up to date' and {r.state for r in status.rows} == {'applied'}, status\n"
        "status",
    ),
    ("md", "## What a rollback would do\nThe preview of `alembic downgrade -1`, without running it."),
    (
        "code",
        "result = %dbm rollback {project} --dry-run\n"
        "assert result.status == 'dry run' and 'order_notes' in result.preview.sql_text(), result.message\nresult",
    ),
]

if __name__ == "__main__":
    write(Path(__file__).resolve().parents[1] / "notebooks" / "04_alembic.ipynb", CELLS)
