"""Online schema-change engines for table rebuilds, never a home-made copier:
pt-online-schema-change (Debian package percona-toolkit) for MySQL/MariaDB ALTERs that can only copy
the table, pg_repack (postgresql-NN-repack plus ``CREATE EXTENSION pg_repack``) for PostgreSQL
rewrites (VACUUM FULL, CLUSTER).

The plan shows the command line; the password never is in it: at run time it goes into a 0600 file
in a private temporary folder (pt: the DSN's ``F=`` option file; pg_repack: ``PGPASSFILE``), removed
afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..errors import MigrationFailed
from ..masking import mask
from .model import EngineRun

PT_OSC = "pt-online-schema-change"
PG_REPACK = "pg_repack"
INSTALL = {
    PT_OSC: "apt-get install -y percona-toolkit",
    PG_REPACK: "apt-get install -y postgresql-15-repack (the server's major version), then CREATE EXTENSION pg_repack",
}


def _parts(url: Any) -> dict[str, str]:
    from sqlalchemy.engine import make_url

    u = make_url(str(url))
    return {"host": u.host or "localhost", "port": str(u.port or ""), "user": u.username or "", "db": u.database or ""}


def pt_osc(url: Any, table: str, alter: str, why: str) -> EngineRun:
    """pt-online-schema-change for ``ALTER TABLE table <alter>``: copies in chunks, triggers keep it in step."""
    p = _parts(url)
    dsn = f"h={p['host']},{'P=' + p['port'] + ',' if p['port'] else ''}u={p['user']},D={p['db']},t={table}"
    args = ("--alter", alter, "--recursion-method=none", "--execute", dsn)
    return EngineRun(PT_OSC, args, table, why, shutil.which(PT_OSC) is not None, INSTALL[PT_OSC])


def pg_repack(url: Any, table: str, why: str, order: bool = True) -> EngineRun:
    """pg_repack of ``table``: rebuilt online (ordered by its cluster index, or ``--no-order``)."""
    p = _parts(url)
    args = ("-h", p["host"], *(("-p", p["port"]) if p["port"] else ()), "-U", p["user"], "-d", p["db"], "-t", table)
    args += () if order else ("--no-order",)
    return EngineRun(PG_REPACK, args, table, why, shutil.which(PG_REPACK) is not None, INSTALL[PG_REPACK])


def run_engine(run: EngineRun, url: Any) -> float:
    """Run the engine with the password in a 0600 file; seconds taken. A failure raises with the
    engine's own (masked) message."""
    import time

    from sqlalchemy.engine import make_url

    if not run.installed and shutil.which(run.engine) is None:
        raise MigrationFailed(
            f"{run.engine} is not installed, and this step needs it ({run.why}).",
            unchanged=f"{run.table} is unchanged.",
            next_step=f"Install it: {run.install}; then run the plan again.",
        )
    password = make_url(str(url)).password
    args, env = list(run.args), {k: v for k, v in os.environ.items() if k not in ("PGPASSWORD", "MYSQL_PWD")}
    with tempfile.TemporaryDirectory(prefix="dbm_engine_") as folder:
        if password:
            secret = Path(folder) / "credentials"
            fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            p = _parts(url)
            with os.fdopen(fd, "w") as f:
                if run.engine == PT_OSC:
                    f.write(f"[client]\npassword={password}\n")
                else:
                    f.write(f"{p['host']}:{p['port'] or '*'}:{p['db']}:{p['user']}:{password}\n")
            if run.engine == PT_OSC:
                args[-1] += f",F={secret}"
            else:
                env["PGPASSFILE"] = str(secret)
        t0 = time.perf_counter()
        out = subprocess.run([run.engine, *args], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        said = mask((out.stderr or out.stdout).strip().splitlines()[-1] if (out.stderr or out.stdout).strip() else "")
        raise MigrationFailed(
            f"{run.engine} failed on {run.table} (exit {out.returncode}): {said}",
            unchanged=f"{run.engine} leaves {run.table} as it was when it fails (its copy is dropped).",
            next_step="Read the engine's message, fix the cause, then run the plan again.",
        )
    return time.perf_counter() - t0
