"""Generate notebooks/03_migrate.ipynb (no outputs): python scripts/make_notebook_03.py"""

from pathlib import Path

from make_notebook import write

CELLS = [
    (
        "md",
        "# Runbook: write, preview, apply and roll back migrations (SQLite, no server)\n\n"
        "This runbook keeps its project in a fixed scratch folder, so running it again is a real re-run: "
        "the `%%dbm migrate` cells recognise the migrations they wrote the first time and write no second "
        "copy, and nothing already applied is applied again.",
    ),
    ("code", "%load_ext dbmigrate_magic"),
    (
        "code",
        "import tempfile\nfrom pathlib import Path\n\n"
        "from dbmigrate_magic import api\n\n"
        "project = Path(tempfile.gettempdir()) / 'dbm_runbook_03'\n"
        "(project / 'migrations').mkdir(parents=True, exist_ok=True)\n"
        "(project / '.env').write_text('DATABASE_URL=sqlite:///shop.db\\n')\n"
        "%cd {project}",
    ),
    (
        "md",
        "## A migration from a cell\n"
        "The cell's SQL becomes `migrations/<UTC timestamp>_create_customers.sql` with `-- UP` and `-- DOWN` "
        "sections, is previewed and, with `--yes` (a non-production environment), applied in one transaction "
        "together with its row in `_migrations`. Without `--yes` the preview shows Apply/Cancel buttons "
        "instead.",
    ),
    (
        "code",
        "%%dbm migrate --name create_customers --yes\n"
        "-- UP\n"
        "CREATE TABLE customers (\n    id INTEGER PRIMARY KEY,\n    name TEXT NOT NULL\n);\n"
        "-- DOWN\n"
        "DROP TABLE customers;",
    ),
    (
        "md",
        "The tracking table agrees, or the runbook stops here (`api.status` is what `%dbm status` shows; "
        "names without their timestamp):",
    ),
    (
        "code",
        "states = {r.migration.split('_', 1)[1]: r.state for r in api.status(project).rows}\n"
        "assert states['create_customers.sql'] == 'applied', states",
    ),
    (
        "md",
        "## Preview only\n`--dry-run` shows the exact SQL, the target environment and whether it is "
        "production, and writes nothing.",
    ),
    (
        "code",
        "%%dbm migrate --name add_customer_email --dry-run\n"
        "-- UP\nALTER TABLE customers ADD COLUMN email TEXT;\n-- DOWN\nALTER TABLE customers DROP COLUMN email;",
    ),
    (
        "code",
        "states = {r.migration.split('_', 1)[1]: r.state for r in api.status(project).rows}\n"
        "assert states.get('add_customer_email.sql') != 'pending', states  # a dry run writes no file",
    ),
    (
        "code",
        "%%dbm migrate --name add_customer_email --yes\n"
        "-- UP\nALTER TABLE customers ADD COLUMN email TEXT;\n-- DOWN\nALTER TABLE customers DROP COLUMN email;",
    ),
    (
        "code",
        "states = {r.migration.split('_', 1)[1]: r.state for r in api.status(project).rows}\n"
        "assert states['add_customer_email.sql'] == 'applied', states",
    ),
    ("md", "## History"),
    (
        "code",
        "%dbm status --df history\n"
        "assert list(history.state) == ['applied', 'applied'], history\n"
        "history[['migration', 'state', 'checksum_ok']]",
    ),
    (
        "md",
        "## Roll back\nThe last migration's `-- DOWN` section runs in a transaction and its row leaves "
        "`_migrations`; `--dry-run` first shows what would run.",
    ),
    ("code", "result = %dbm rollback --dry-run\nassert result.status == 'dry run', result.message\nresult"),
    ("code", "result = %dbm rollback --yes\nassert result.status == 'rolled back', result.message\nresult"),
    (
        "code",
        "status = %dbm status\nassert [r.state for r in status.rows] == ['applied', 'pending'], status\nstatus",
    ),
    ("md", "Put it back, so the runbook ends where it started its second part:"),
    ("code", "result = %dbm migrate --yes\nassert result.status == 'applied', result.message\nresult"),
    (
        "md",
        "## Re-running this runbook\nEach migration file exists once, however many times the runbook ran, "
        "and every migration is applied once:",
    ),
    (
        "code",
        "files = sorted(p.name for p in (project / 'migrations').glob('*.sql'))\n"
        "assert len(files) == 2, files\n"
        "import sqlite3\n"
        "rows = sqlite3.connect(project / 'shop.db').execute('SELECT filename FROM _migrations').fetchall()\n"
        "assert sorted(r[0] for r in rows) == files\n"
        "files",
    ),
]

if __name__ == "__main__":
    write(Path(__file__).resolve().parents[1] / "notebooks" / "03_migrate.ipynb", CELLS)
