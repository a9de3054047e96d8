"""Writes notebooks/09_backup.ipynb (no outputs): ``python scripts/make_09_backup.py``."""

from pathlib import Path

from make_notebook import write

CELLS = [
    (
        "md",
        "# Backups: backup, backups, restore --verify (SQLite, no server)\n\n"
        "Before changing a database you want a backup you can trust. `%dbm backup` takes one (SQLite: the online\n"
        "backup API, safe while the app is writing; PostgreSQL: `pg_dump -Fc`; MySQL/MariaDB: `mysqldump\n"
        "--single-transaction`), writes a manifest beside it (size, duration, tool and version, sha256, masked "
        "source),\nand `%dbm restore --verify` proves it by restoring into a scratch database and comparing schema "
        "and rows.\n\nThis runbook works in a fresh temporary project each time, so re-running it changes nothing "
        "twice.",
    ),
    ("code", "%load_ext dbmigrate_magic"),
    ("md", "## A small project with binary and unicode data"),
    (
        "code",
        "import sqlite3\n"
        "import tempfile\n"
        "from pathlib import Path\n\n"
        'project = Path(tempfile.mkdtemp(prefix="dbm_runbook_backup_"))\n'
        'with sqlite3.connect(project / "app.db") as conn:\n'
        '    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, caption TEXT, data BLOB)")\n'
        '    conn.executemany("INSERT INTO photos (caption, data) VALUES (?, ?)",\n'
        '                     [("Zoë at the café ☕", bytes(range(256))), ("日本の写真 🎉", b"\\x00\\xff" * 100)])\n'
        "conn.close()\n"
        '(project / ".env").write_text("DATABASE_URL=sqlite:///app.db\\n")\n'
        '(project / ".env.production").write_text("DATABASE_URL=sqlite:///prod.db\\n")\n'
        "project",
    ),
    (
        "md",
        "## Take a backup\nThe backup lands in `<project>/.dbm/backups` (or `--dir`, or `$DBM_BACKUP_DIR`) with a "
        "timestamped name and a JSON manifest.",
    ),
    (
        "code",
        "full = %dbm backup --project {project}\n"
        "assert full.record.file.is_file() and full.record.manifest_path.is_file(), full\n"
        "assert not full.record.schema_only and len(full.record.sha256) == 64, full\n"
        "full",
    ),
    ("md", "A schema-only backup, and one of selected tables, work the same way:"),
    (
        "code",
        "schema_only = %dbm backup --project {project} --schema-only\n"
        "assert schema_only.record.schema_only, schema_only\n"
        "schema_only",
    ),
    ("md", "## List backups\n`backups` lists them newest first; `--df` stores the list as a DataFrame."),
    (
        "code",
        "%dbm backups --project {project} --df bk\n"
        "assert list(bk.schema_only) == [True, False], bk  # newest first\n"
        'bk[["name", "environment", "schema_only", "size_bytes", "tool", "sha256"]]',
    ),
    (
        "md",
        "## Prove a backup: restore it into a scratch database and compare\n`--verify` checks the file's sha256, "
        "restores into a `dbm_scratch_...` database (always dropped afterwards), and compares tables, column "
        "types, row counts and row checksums with the source.",
    ),
    (
        "code",
        "verified = %dbm restore {bk.name.iloc[-1]} --project {project} --verify\n"
        "assert verified.mode == 'verify' and verified.comparison and verified.ok, verified\n"
        "verified",
    ),
    (
        "md",
        "## Restore into another database\nRestoring overwrites the target, so it needs `--yes`; a production "
        "target needs its name typed back (`--confirm production`) and is backed up first.",
    ),
    (
        "code",
        'copy = project / "copy.db"\n'
        "restored = %dbm restore {bk.name.iloc[-1]} --project {project} --into sqlite:///{copy} --yes\n"
        "assert restored.mode == 'restore', restored\n"
        'assert sqlite3.connect(copy).execute("SELECT count(*) FROM photos").fetchone() == (2,)\n'
        "restored",
    ),
    (
        "code",
        "from dbmigrate_magic import api\n"
        "from dbmigrate_magic.errors import ConfirmationRequired\n\n"
        "try:\n"
        '    api.restore("latest", project, into="production", yes=True)\n'
        "except ConfirmationRequired as refused:\n"
        "    print(refused.message)\n"
        "else:\n"
        '    raise AssertionError("a production restore ran without its name typed back")',
    ),
    ("code", "import shutil\n\nshutil.rmtree(project)  # the runbook's temporary project"),
]

if __name__ == "__main__":
    write(Path(__file__).resolve().parents[1] / "notebooks" / "09_backup.ipynb", CELLS)
