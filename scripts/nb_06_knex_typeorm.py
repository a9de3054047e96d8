"""Regenerate notebooks/06_knex_typeorm.ipynb (without outputs): python scripts/nb_06_knex_typeorm.py"""

from __future__ import annotations

from pathlib import Path

from make_notebook import write

CELLS = [
    (
        "md",
        "# A Knex project on SQLite\n\n"
        "dbmigrate_magic never replaces the team's tool: `status` reads Knex's own `knex_migrations` table "
        "(fast, no Node process), and `migrate` / `rollback` run the project's own `npx knex`, so Knex's "
        "lock table, batches and transactions are Knex's. TypeORM projects work the same way through "
        "`npx typeorm migration:run` / `migration:revert` (not run here: ts-node makes it slow).\n\n"
        "The runbook works on a copy of `examples/knex_app` in a temporary folder, with `node_modules` "
        "linked from `DBM_NODE_MODULES` (in your project it is simply your own `node_modules`).",
    ),
    (
        "code",
        "%load_ext dbmigrate_magic\n"
        "import os, shutil, subprocess, tempfile\n"
        "from pathlib import Path\n"
        "app = Path(tempfile.mkdtemp(prefix='knex-runbook-')) / 'knex_app'\n"
        "shutil.copytree(Path('..', 'examples', 'knex_app'), app)\n"
        "modules = Path(os.environ.get('DBM_NODE_MODULES', Path('..', '.cache', 'node', 'node_modules')))\n"
        "(app / 'node_modules').symlink_to(modules.resolve())",
    ),
    (
        "md",
        "## What is there\n`detect` finds `knexfile.js` and the migrations folder it names; `status` lists "
        "every file with its state and Knex's `batch`. Knex keeps no checksum, so `checksum_ok` is empty.",
    ),
    ("code", "detected = %dbm detect {app}\nassert detected.tool == 'knex', detected\ndetected"),
    (
        "code",
        "status = %dbm status {app}\nassert [r.state for r in status.rows] == ['pending', 'pending'], status\nstatus",
    ),
    (
        "md",
        "## Apply what is pending\nThe preview says what can be known: these files are hand-written "
        "JavaScript, so the SQL is only known once Knex runs them. `--yes` confirms; Knex records them "
        "as one batch.",
    ),
    ("code", "result = %dbm migrate {app} --yes\nassert result.status == 'applied', result.message\nresult"),
    (
        "md",
        "## A notebook cell becomes a Knex migration\nThe SQL below is written as "
        "`migrations/<UTC timestamp>_add_order_notes.js` (each statement through `knex.raw`), previewed and "
        "applied by Knex. Running the same cell again finds that migration and writes nothing new.",
    ),
    (
        "code",
        "%%dbm migrate {app} --name add_order_notes --yes\n"
        "-- UP\n"
        "ALTER TABLE orders ADD COLUMN note varchar(200);\n"
        "-- DOWN\n"
        "ALTER TABLE orders DROP COLUMN note;",
    ),
    (
        "code",
        "%%dbm migrate {app} --name add_order_notes --yes\n"
        "-- UP\n"
        "ALTER TABLE orders ADD COLUMN note varchar(200);\n"
        "-- DOWN\n"
        "ALTER TABLE orders DROP COLUMN note;",
    ),
    (
        "code",
        "files = sorted(p.name for p in (app / 'migrations').iterdir())\n"
        "assert len(files) == 3 and files[-1].endswith('_add_order_notes.js'), files\n"
        "files",
    ),
    ("md", "## Knex agrees\nKnex's own status command, on the same database:"),
    (
        "code",
        "env = dict(os.environ, DATABASE_URL='file:./dev.sqlite3', NO_COLOR='1')\n"
        "out = subprocess.run(['npx', '--no-install', 'knex', 'migrate:list'], cwd=app, env=env,\n"
        "                     capture_output=True, text=True)\n"
        "assert out.returncode == 0 and 'No Pending Migration files Found' in out.stdout, out.stdout + out.stderr\n"
        "print(out.stdout)",
    ),
    (
        "md",
        "## Roll back\nWithout `--steps`, Knex's unit is the last batch (`migrate:rollback`); `--steps N` "
        "and `--to TARGET` undo one migration at a time (`migrate:down`).",
    ),
    ("code", "result = %dbm rollback {app} --dry-run\nassert result.status == 'dry run', result.message\nresult"),
    ("code", "result = %dbm rollback {app} --yes\nassert result.status == 'rolled back', result.message\nresult"),
    (
        "code",
        "%dbm status {app} --df history\n"
        "assert list(history.state) == ['applied', 'applied', 'pending'], history\n"
        "history[['migration', 'state', 'batch']]",
    ),
    ("code", "shutil.rmtree(app.parent)"),
]

if __name__ == "__main__":
    write(Path(__file__).resolve().parent.parent / "notebooks" / "06_knex_typeorm.ipynb", CELLS)
