"""PostgreSQL: ``pg_dump -Fc`` (one consistent snapshot, safe while writers run) and
``pg_restore`` in a single transaction."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..dialects.quoting import pg_quote
from ..errors import UnsupportedOperation
from .clients import child_environment, find_binary, pg_environment, run, version_of

TOOL = "pg_dump"


def dump_command(
    url: str, path: Path, schema_only: bool = False, tables: tuple[str, ...] = (), schema: str | None = None
) -> tuple[list[str], dict[str, str]]:
    """argv and environment for pg_dump; the connection is in the environment only. ``schema``
    limits the dump to that one schema (its name double-quoted: pg_dump reads it as a pattern)."""
    argv = [find_binary("pg_dump"), "--format=custom", "--no-password", f"--file={path}"]
    if schema_only:
        argv.append("--schema-only")
    if schema:
        argv.append(f"--schema={pg_quote(schema)}")
    for table in tables:
        argv.append(f"--table={table}")
    return argv, child_environment(pg_environment(url))


def dump(
    url: str, path: Path, schema_only: bool = False, tables: tuple[str, ...] = (), schema: str | None = None
) -> tuple[str, str]:
    argv, env = dump_command(url, path, schema_only, tables, schema)
    run(argv, env, "pg_dump", unchanged="The database was only read; no backup file was kept.")
    return TOOL, version_of(argv[0])


def restore_command(url: str, path: Path) -> tuple[list[str], dict[str, str]]:
    env = pg_environment(url)
    argv = [
        find_binary("pg_restore"),
        "--no-password",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={env['PGDATABASE']}",
        str(path),
    ]
    return argv, child_environment(env)


def restore(url: str, path: Path, schema: str | None = None) -> None:
    """The dump's objects replace the target's. A schema backup (a fleet's tenant) replaces the
    whole schema instead: it is dropped with everything in it and rebuilt from the dump, in one
    transaction, so objects made after the backup go too and no other schema is touched."""
    if schema:
        _restore_schema(url, path, schema)
        return
    argv, env = restore_command(url, path)
    run(argv, env, "pg_restore", unchanged=_ROLLED_BACK.format(tool="pg_restore"))


_ROLLED_BACK = "{tool} ran in one transaction, which was rolled back: the target is as it was."


#: objects outside a schema that depend on objects in it (a view over its tables, a foreign key
#: into them): DROP SCHEMA ... CASCADE would drop them too. Rules (a view's body), column defaults,
#: triggers and policies have no schema of their own: the table they belong to gives it. Any other
#: object without a schema counts as outside (refusing is the safe side).
_OUTSIDE_DEPENDENTS = """
SELECT DISTINCT dep.identity
FROM pg_depend d
CROSS JOIN LATERAL pg_identify_object(d.refclassid, d.refobjid, 0) AS ref
CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) AS dep
LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
LEFT JOIN pg_trigger tg ON d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid
LEFT JOIN pg_policy po ON d.classid = 'pg_policy'::regclass AND po.oid = d.objid
LEFT JOIN pg_class owner ON owner.oid = COALESCE(r.ev_class, ad.adrelid, tg.tgrelid, po.polrelid)
LEFT JOIN pg_namespace owner_ns ON owner_ns.oid = owner.relnamespace
WHERE ref.schema = {schema} AND d.deptype IN ('n', 'a')
  AND COALESCE(dep.schema, owner_ns.nspname) IS DISTINCT FROM {schema}
ORDER BY 1
"""


def _refuse_outside_dependents(env: dict[str, str], schema: str) -> None:
    literal = "'" + schema.replace("'", "''") + "'"
    argv = [
        find_binary("psql"),
        "--no-password",
        "--no-psqlrc",
        "--tuples-only",
        "--no-align",
        f"--dbname={env['PGDATABASE']}",
        f"--command={_OUTSIDE_DEPENDENTS.format(schema=literal)}",
    ]
    out = run(argv, child_environment(env), "psql", unchanged="Nothing was changed: the catalog was only read.")
    found = [line for line in out.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
    if found:
        listed = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise UnsupportedOperation(
            f"Restoring the backup of schema {schema} drops and rebuilds that schema, which would also drop "
            f"objects outside it that depend on it: {listed}.",
            unchanged="Nothing was changed.",
            next_step="Drop or change those objects first (and recreate them after), or restore into a scratch "
            "database (`dbm restore BACKUP --verify` shows it) and copy what you need.",
        )


def _restore_schema(url: str, path: Path, schema: str) -> None:
    env = pg_environment(url)
    _refuse_outside_dependents(env, schema)
    with tempfile.TemporaryDirectory(prefix="dbm-restore-") as folder:
        script = Path(folder) / "restore.sql"
        to_sql = [find_binary("pg_restore"), "--no-owner", "--no-privileges", f"--file={script}", str(path)]
        run(to_sql, child_environment(env), "pg_restore", unchanged="Only the backup file was read.")
        argv = [
            find_binary("psql"),
            "--no-password",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--dbname={env['PGDATABASE']}",
            f"--command=DROP SCHEMA IF EXISTS {pg_quote(schema)} CASCADE",
            f"--file={script}",
        ]
        run(argv, child_environment(env), "psql", unchanged=_ROLLED_BACK.format(tool="psql"))
