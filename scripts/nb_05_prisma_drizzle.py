"""Regenerate notebooks/05_prisma_drizzle.ipynb (without outputs): python scripts/nb_05_prisma_drizzle.py"""

from __future__ import annotations

from pathlib import Path

from make_notebook import write

CELLS = [
    (
        "md",
        "# Prisma and Drizzle projects on SQLite\n\n"
        "No server, no Prisma CLI and no Node needed: dbmigrate_magic reads and writes Prisma's "
        "`_prisma_migrations` and Drizzle's journal and `__drizzle_migrations` exactly as the tools do. "
        "The sample projects are `examples/prisma_app` and `examples/drizzle_app`; each `.env` points at a "
        "SQLite file beside it. Re-running this runbook applies nothing twice.",
    ),
    (
        "code",
        "%load_ext dbmigrate_magic\n"
        "from pathlib import Path\n"
        "examples = Path('..', 'examples').resolve()\n"
        "prisma_app, drizzle_app = examples / 'prisma_app', examples / 'drizzle_app'",
    ),
    (
        "md",
        "## Prisma: what is there\n`detect` finds `prisma/schema.prisma`; `status` lists every folder in "
        "`prisma/migrations` with its state (pending, applied, failed, modified, missing, rolled back) and "
        "Prisma's own `logs` and `applied_steps_count`.",
    ),
    ("code", "detected = %dbm detect {prisma_app}\nassert detected.tool == 'prisma', detected\ndetected"),
    (
        "code",
        "%dbm status {prisma_app} --df prisma_history\n"
        "assert len(prisma_history) >= 1 and set(prisma_history.state) <= {'applied', 'pending'}, prisma_history\n"
        "prisma_history[['migration', 'state', 'applied_steps_count']]",
    ),
    (
        "md",
        "## Prisma: apply what is pending\n`migrate` previews exactly what `prisma migrate deploy` would run, "
        "then (with `--yes`) records each migration as Prisma does (checksum, start and finish times, steps "
        "count) under Prisma's own lock. On a re-run there is nothing to apply.",
    ),
    (
        "code",
        "result = %dbm migrate {prisma_app} --yes\n"
        "assert result.status in ('applied', 'up to date'), result.message  # up to date on a re-run\nresult",
    ),
    (
        "code",
        "import pandas as pd\n"
        "from dbmigrate_magic.context import resolve_context\n"
        "db = resolve_context(prisma_app).database()\n"
        "rows = pd.read_sql('SELECT migration_name, checksum, started_at, finished_at, applied_steps_count '\n"
        "                   'FROM _prisma_migrations', db.engine)\n"
        "assert len(rows) == len(prisma_history) and rows.finished_at.notna().all(), rows\n"
        "rows",
    ),
    (
        "code",
        "status = %dbm status {prisma_app}\n"
        "assert status.position == 'up to date' and {r.state for r in status.rows} == {'applied'}, status\n"
        "status",
    ),
    (
        "md",
        "## Drizzle: the journal and the migrator table\n`drizzle-kit generate` wrote "
        "`drizzle/NNNN_name.sql` and `drizzle/meta/_journal.json`. Drizzle keeps no names in its table, "
        "only a hash of each file and the journal's `when`; status matches them back to files. A migration "
        "generated before the newest applied one shows as `skipped`: `drizzle-kit migrate` would never run it.",
    ),
    (
        "code",
        "%dbm status {drizzle_app} --df drizzle_history\n"
        "assert set(drizzle_history.state) <= {'applied', 'pending', 'skipped'}, drizzle_history\n"
        "drizzle_history[['migration', 'state', 'generated_at']]",
    ),
    (
        "md",
        "`migrate` applies pending migrations the way drizzle-orm's migrator does (all in one transaction, "
        "`created_at` = the journal's `when`), so `npx drizzle-kit migrate` afterwards finds nothing to do. "
        "If a statement fails, the error names it and its line.",
    ),
    (
        "code",
        "result = %dbm migrate {drizzle_app} --yes\n"
        "assert result.status in ('applied', 'up to date'), result.message\nresult",
    ),
    (
        "code",
        "ddb = resolve_context(drizzle_app).database()\n"
        "rows = pd.read_sql('SELECT hash, created_at FROM __drizzle_migrations', ddb.engine)\n"
        "assert len(rows) == (drizzle_history.state != 'skipped').sum(), rows\n"
        "rows",
    ),
    (
        "code",
        "status = %dbm status {drizzle_app}\nassert 'pending' not in {r.state for r in status.rows}, status\nstatus",
    ),
    ("code", "db.dispose(); ddb.dispose()"),
]

if __name__ == "__main__":
    write(Path(__file__).resolve().parent.parent / "notebooks" / "05_prisma_drizzle.ipynb", CELLS)
