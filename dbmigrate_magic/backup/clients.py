"""Client binaries (pg_dump, pg_restore, mariadb-dump, mariadb) and how credentials reach them.

Credentials travel only through the child's environment (PGPASSWORD and friends) or a
temporary MySQL option file with 0600 permissions that is deleted afterwards; the argument
vector never holds a password, because any local user can read it from /proc.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ToolFailed, ToolMissing, connection_advice
from ..masking import mask, register_secret

#: the Debian package that installs each client binary
PACKAGES = dict.fromkeys(("pg_dump", "pg_restore", "psql"), "postgresql-client") | dict.fromkeys(
    ("mariadb-dump", "mysqldump", "mariadb", "mysql"), "mariadb-client"
)
# libpq query parameters that have an environment-variable twin
_PG_QUERY_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def find_binary(*names: str) -> str:
    """The first of ``names`` on PATH; a clear ``ToolMissing`` naming the Debian package otherwise."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    package = PACKAGES.get(names[0], names[0])
    raise ToolMissing(
        f"{' / '.join(names)} was not found on PATH; it is needed for this backup or restore.",
        next_step=f"Install it (Debian/Ubuntu: `apt-get install {package}`; macOS: `brew install "
        f"{'libpq' if package.startswith('postgresql') else 'mariadb'}`) and run again.",
    )


def version_of(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    except OSError as exc:
        return f"unknown ({exc.strerror})"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "unknown"


def _url(url: str):
    from sqlalchemy.engine import make_url

    return make_url(url)


def pg_environment(url: str) -> dict[str, str]:
    """libpq variables for ``url``: the child reads host, user, password and database from here."""
    u = _url(url)
    env = {"PGDATABASE": u.database or "postgres"}
    if u.host:
        env["PGHOST"] = u.host
    if u.port:
        env["PGPORT"] = str(u.port)
    if u.username:
        env["PGUSER"] = u.username
    if u.password is not None:
        register_secret(str(u.password))
        env["PGPASSWORD"] = str(u.password)
    for key, value in u.query.items():
        var = _PG_QUERY_ENV.get(key)
        if var:
            env[var] = value if isinstance(value, str) else value[-1]
    return env


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    """The process environment without stray libpq/MySQL settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "MYSQL_"))}
    env.update(extra)
    return env


def _option_value(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@contextmanager
def mysql_defaults_file(url: str) -> Iterator[Path]:
    """A ``[client]`` option file with the URL's credentials, mode 0600, removed on exit."""
    u = _url(url)
    lines = ["[client]"]
    if u.username:
        lines.append(f"user={_option_value(u.username)}")
    if u.password is not None:
        register_secret(str(u.password))
        lines.append(f"password={_option_value(str(u.password))}")
    if u.host:
        lines.append(f"host={_option_value(u.host)}")
    if u.port:
        lines.append(f"port={u.port}")
    socket = u.query.get("unix_socket")
    if socket:
        lines.append(f"socket={_option_value(socket if isinstance(socket, str) else socket[-1])}")
    lines.append("default-character-set=utf8mb4")
    fd, name = tempfile.mkstemp(prefix="dbm-my-", suffix=".cnf")  # mkstemp creates it 0600
    path = Path(name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        yield path
    finally:
        path.unlink(missing_ok=True)


def run(argv: list[str], env: dict[str, str], what: str, *, stdin=None, unchanged: str) -> subprocess.CompletedProcess:
    """Run a client binary; a non-zero exit becomes ``ToolFailed`` with its (masked) message."""
    try:
        out = subprocess.run(argv, env=env, stdin=stdin, capture_output=True, timeout=None)
    except OSError as exc:
        raise ToolFailed(f"{what}: could not start {argv[0]}: {exc.strerror}.", unchanged=unchanged) from None
    if out.returncode != 0:
        message = out.stderr.decode("utf-8", "replace").strip() or out.stdout.decode("utf-8", "replace").strip()
        said = mask(message)[-2000:]
        advice = connection_advice(said)
        if advice.startswith("Check that the server"):  # nothing about the connection: privileges, disk ...
            advice = "Check the connection and the user's privileges, then run again."
        raise ToolFailed(
            f"{what} failed ({Path(argv[0]).name} exited {out.returncode}): {said}",
            unchanged=unchanged,
            next_step=advice,
        )
    return out
