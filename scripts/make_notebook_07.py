"""Generate notebooks/07_diff.ipynb (no outputs): schema diff between two SQLite environments."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_notebook import write  # noqa: E402

CELLS = [
    (
        "md",
        "# Schema diff, drift and generated migrations on SQLite\n\n"
        "Two environments (development and staging) are two SQLite files in a throwaway copy of a raw-SQL "
        "project, so this runbook needs no server and re-running it starts from scratch every time.",
    ),
    ("code", "%load_ext dbmigrate_magic"),
    (
        "code",
        """import shutil, sqlite3, tempfile
from pathlib import Path

proj = Path(tempfile.mkdtemp(prefix="dbm_diff_demo_"))
shutil.copytree(Path("../examples/rawsql_app/migrations"), proj / "migrations")
(proj / ".env").write_text("DATABASE_URL=sqlite:///dev.db\\n")
(proj / ".env.staging").write_text("DATABASE_URL=sqlite:///staging.db\\n")
files = sorted(p.name for p in (proj / "migrations").iterdir())
assert len(files) == 2, files
files""",
    ),
    ("md", "## Bring both environments up to date\nThe same two migrations run on both files."),
    ("code", "result = %dbm migrate --project {proj} --yes\nassert result.status == 'applied', result.message\nresult"),
    (
        "code",
        "result = %dbm migrate --project {proj} --env staging --yes\n"
        "assert result.status == 'applied', result.message\nresult",
    ),
    ("md", "## Someone changes staging by hand\nA column and an index appear on staging without a migration."),
    (
        "code",
        """con = sqlite3.connect(proj / "staging.db")
con.execute("ALTER TABLE users ADD COLUMN nickname TEXT")
con.execute("CREATE INDEX users_nickname_idx ON users (nickname)")
con.commit(); con.close()""",
    ),
    (
        "md",
        "## Diff the two environments\nThe view shows each changed table side by side (added in green, removed "
        "in red, changed in amber), unchanged tables collapsed, the change table and the SQL that turns "
        "development into staging. `--df` keeps the change table as a DataFrame.",
    ),
    (
        "code",
        "result = %dbm diff development staging --project {proj} --df changes\n"
        "assert 'nickname' in result.sql and 'users_nickname_idx' in result.sql, result.sql\nresult",
    ),
    (
        "code",
        'assert len(changes) == len(result.changes) > 0\nchanges[["object_type", "name", "change", "destructive"]]',
    ),
    (
        "md",
        "The same diff from Python; `sql` holds only the statements (`dbm diff ... --sql` prints just them, "
        "ready for `sqlite3` or `psql`).",
    ),
    (
        "code",
        """from dbmigrate_magic import api
result = api.diff("development", "staging", project=proj)
assert "nickname" in result.sql, result.sql
print(result.sql)""",
    ),
    (
        "md",
        "## Drift: staging against what its migrations produce\nThe migrations are replayed on a scratch "
        "database (a temporary file here, a `dbm_scratch_*` database on a server) that is always removed.",
    ),
    (
        "code",
        "drift = %dbm drift --project {proj} --env staging\nassert 'nickname' in drift.sql, drift.sql\ndrift",
    ),
    (
        "md",
        "`--sql` shows only the SQL, exactly what `dbm diff ... --sql` prints for piping into `sqlite3`/`psql` "
        "(SQLite: inside `BEGIN`/`COMMIT`, between the foreign-key pragmas).",
    ),
    (
        "code",
        "result = %dbm diff development staging --project {proj} --sql\n"
        "assert 'nickname' in result.sql, result.sql\nresult",
    ),
    (
        "md",
        "Scratch databases left behind (by a killed process) are listed here and removed by `--clean`; "
        "the diff and drift above left none.",
    ),
    (
        "code",
        "scratch = %dbm scratch --project {proj} --env staging\nassert scratch.found == (), scratch.found\nscratch",
    ),
    ("md", "## Reverse direction: destructive statements are left out unless `--unsafe`"),
    (
        "code",
        "result = %dbm diff staging development --project {proj}\n"
        "assert result.left_out and 'nickname' not in result.sql, result.sql  # the column drop is left out\nresult",
    ),
    (
        "md",
        "## A migration generated from a desired schema\nUp = diff(current -> desired), down = the reverse. "
        "`--dry-run` shows it without writing a file.",
    ),
    (
        "code",
        """desired = proj / "desired.sql"
desired.write_text((proj / "dev_schema.sql").read_text() if (proj / "dev_schema.sql").exists() else
    "\\n".join(r[0] + ";" for r in sqlite3.connect(proj / "dev.db").execute(
        "select sql from sqlite_master where sql is not null and name not like 'sqlite_%' and name <> '_migrations'"))
    + "\\nCREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL);\\n")""",
    ),
    (
        "code",
        "result = %dbm generate --name add_tags --from-schema {desired} --project {proj} --dry-run\n"
        "assert 'tags' in result.up_sql and result.path is None, result.up_sql\nresult",
    ),
    (
        "md",
        "## An automatic down migration\nA migration written without a `-- DOWN` part (as Prisma and Drizzle "
        "write theirs) cannot be rolled back. Here one adds a column with a default and an index, and is applied.",
    ),
    (
        "code",
        """(proj / "migrations" / "20250103090000_add_order_notes.sql").write_text(
    "ALTER TABLE orders ADD COLUMN note TEXT NOT NULL DEFAULT '';\\n"
    "CREATE INDEX orders_note_idx ON orders (note);\\n")""",
    ),
    ("code", "result = %dbm migrate --project {proj} --yes\nassert result.status == 'applied', result.message\nresult"),
    (
        "md",
        "`--down-for` replays the migrations before it and through it on two scratch databases and diffs them: "
        "the SQL that undoes it, shown for review. Nothing is written.",
    ),
    (
        "code",
        "down = %dbm generate --down-for 20250103090000_add_order_notes.sql --project {proj}\n"
        "assert 'orders' in down.down_sql and down.path is None, down.down_sql\ndown",
    ),
    (
        "md",
        "After review, `--write` stores it beside the migration as `20250103090000_add_order_notes.down.sql`. "
        "The migration file itself is untouched, so `status` does not call it modified, and `rollback` runs the "
        "stored down part.",
    ),
    (
        "code",
        "down = %dbm generate --down-for 20250103090000_add_order_notes.sql --project {proj} --write\n"
        "assert down.path and down.path.endswith('20250103090000_add_order_notes.down.sql'), down.path\ndown",
    ),
    (
        "code",
        "status = %dbm status --project {proj}\n"
        "assert [r.state for r in status.rows] == ['applied'] * 3, status\nstatus",
    ),
    (
        "code",
        "result = %dbm rollback --project {proj} --yes\nassert result.status == 'rolled back', result.message\nresult",
    ),
    (
        "code",
        'columns = [r[1] for r in sqlite3.connect(proj / "dev.db").execute("PRAGMA table_info(orders)")]\n'
        'assert "note" not in columns, columns\n'
        "columns",
    ),
    ("code", "shutil.rmtree(proj)"),
]

if __name__ == "__main__":
    write(Path(__file__).resolve().parent.parent / "notebooks" / "07_diff.ipynb", CELLS)
