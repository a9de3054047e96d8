"""Any password, from any settings source, through every verb and front end: it connects when it
is written correctly, it is never shown (nor any 5+ character fragment of it), and nothing ends
in a traceback.

PostgreSQL is a throw-away instance (``initdb`` into a temporary folder, scram-sha-256, its own
port) so password authentication is real; MariaDB gets a real user with the generated password.
The shared servers' settings are left as they are.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from glob import glob
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import MYSQL_URL, _server_engine, _unavailable
from dbmigrate_magic import api, masking
from dbmigrate_magic.cli import main as cli_main
from dbmigrate_magic.errors import DbmError

SPECIALS = list("[]@%:/#?&='\"\\$ ") + ["${HOME}", "%41", "ü", "密"]
DISTINCT = "QXZJKVWqxzjkvw2357ü密"  # letters no output uses by chance: fragments of these are checked
MIGRATION = {
    "migrations/20250101000000_init.sql": "-- UP\ncreate table hostile_t (id int);\n-- DOWN\ndrop table hostile_t;\n"
}

passwords = (
    st.lists(st.one_of(st.sampled_from(SPECIALS), st.text(DISTINCT, min_size=1, max_size=6)), min_size=4, max_size=40)
    .map("".join)
    .filter(lambda p: 8 <= len(p) <= 200 and sum(c in DISTINCT for c in p) >= 4)
)


# --- servers ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def scram_pg():
    """A throw-away PostgreSQL with password (scram-sha-256) authentication; yields (port, admin URL)."""
    initdb = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdb:
        _unavailable("initdb (PostgreSQL server binaries)", FileNotFoundError("/usr/lib/postgresql/*/bin/initdb"))
    bindir = Path(initdb[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="dbm-scram-"))
    data, admin_pw, port = folder / "data", "adm-" + uuid.uuid4().hex, _free_port()
    (folder / "pw").write_text(admin_pw)
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the instance as the postgres system user
        shutil.chown(folder, "postgres")
        shutil.chown(folder / "pw", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    run = lambda *argv: subprocess.run([*as_user, *argv], capture_output=True, text=True, timeout=120)  # noqa: E731
    out = run(
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-U",
        "admin",
        "--auth=scram-sha-256",
        f"--pwfile={folder / 'pw'}",
        "-E",
        "UTF8",
    )
    if out.returncode != 0:
        _unavailable("initdb", RuntimeError(out.stderr[-500:]))
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    out = run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    if out.returncode != 0:
        _unavailable("pg_ctl start", RuntimeError(out.stderr[-500:]))
    try:
        yield port, f"postgresql+psycopg://admin:{admin_pw}@127.0.0.1:{port}/postgres"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_app(scram_pg):
    """A role ``hostile`` owning database ``hostile_db``; the test sets its password per example."""
    from sqlalchemy import text

    port, admin = scram_pg
    engine = _server_engine(admin)
    with engine.connect() as conn:
        conn.execute(text("CREATE ROLE hostile LOGIN"))
        conn.execute(text("CREATE DATABASE hostile_db OWNER hostile"))

    app_db = _server_engine(admin.replace("/postgres", "/hostile_db"))

    def set_password(pw: str) -> None:
        with app_db.connect() as conn:
            conn.exec_driver_sql("ALTER ROLE hostile PASSWORD '" + pw.replace("'", "''").replace("%", "%%") + "'")
            conn.execute(text("DROP TABLE IF EXISTS hostile_t, _migrations"))  # fresh for every example

    yield port, set_password
    app_db.dispose()
    engine.dispose()


@pytest.fixture(scope="session")
def mysql_app():
    """A MariaDB user ``dbm_hostile`` on database ``dbm_hostile_db``; dropped after the session."""
    from sqlalchemy import text

    engine = _server_engine(MYSQL_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE IF NOT EXISTS dbm_hostile_db"))
            conn.execute(text("DROP USER IF EXISTS 'dbm_hostile'@'%'"))
            conn.execute(text("CREATE USER 'dbm_hostile'@'%' IDENTIFIED BY 'initial-pw'"))
            conn.execute(text("GRANT ALL ON dbm_hostile_db.* TO 'dbm_hostile'@'%'"))
    except Exception as exc:
        _unavailable("MySQL/MariaDB", exc)

    def set_password(pw: str) -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("ALTER USER 'dbm_hostile'@'%%' IDENTIFIED BY %s", (pw,))
            conn.execute(text("DROP TABLE IF EXISTS dbm_hostile_db.hostile_t, dbm_hostile_db._migrations"))

    yield set_password
    with engine.connect() as conn:
        conn.execute(text("DROP USER IF EXISTS 'dbm_hostile'@'%'"))
        conn.execute(text("DROP DATABASE IF EXISTS dbm_hostile_db"))
    engine.dispose()


# --- settings sources ---------------------------------------------------------------------------


def dotenv_value(pw: str) -> str | None:
    """How a user writes ``pw`` in a .env file (None: no quoting keeps it exactly). python-dotenv reads
    ``\\'`` inside single quotes as an escaped quote (Node's dotenv does not), so a backslash goes in
    double quotes."""
    if "'" not in pw and "\\" not in pw:
        return f"'{pw}'"
    if "${" in pw:
        return None
    return '"' + pw.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_source(root: Path, source: str, url: str, parts: dict[str, str]) -> tuple[dict[str, str], str | None]:
    """Write the connection into ``source``; returns (process variables, --env value)."""
    rawsql(root)
    if source == "dotenv_url":
        (root / ".env").write_text(f"DATABASE_URL={url}\n", encoding="utf-8")
    elif source == "dotenv_parts":
        value = dotenv_value(parts["password"])
        if value is None:
            return {}, None
        (root / ".env").write_text(
            f"DB_HOST=127.0.0.1\nDB_PORT={parts['port']}\nDB_NAME={parts['db']}\nDB_USER={parts['user']}\n"
            f"DB_DIALECT={parts['dialect']}\nDB_PASSWORD={value}\n",
            encoding="utf-8",
        )
    elif source == "process_env":
        return {"DATABASE_URL": url}, None
    elif source == "env_url":
        return {}, url
    return {}, None


# --- what a user sees ---------------------------------------------------------------------------


def cli(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(list(argv))
    return f"[exit {code}]\n{out.getvalue()}\n{err.getvalue()}"


def api_call(fn, *args, **kwargs) -> str:
    try:
        result = fn(*args, **kwargs)
    except DbmError as exc:
        return f"{type(exc).__name__}: {exc.message}\n{exc!r}"
    return "\n".join((repr(result), json.dumps(result.to_dict(), default=str), result._repr_html_() or ""))


def magic(shell, line: str) -> str:
    from IPython.core.error import UsageError
    from IPython.utils.capture import capture_output

    with capture_output() as cap:
        try:
            result = shell.run_line_magic("dbm", line)
        except UsageError as exc:
            result = f"UsageError: {exc}"
    shown = [repr(result), getattr(result, "_repr_html_", lambda: "")() or ""]
    return "\n".join([cap.stdout, cap.stderr, *shown])


def rawsql(root: Path) -> None:
    for name, text in MIGRATION.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def leaks(pw: str, text: str) -> list[str]:
    """The password, its encoded form, or any 5-character piece of it with 2+ distinctive characters."""
    found = [p for p in {pw, quote(pw, safe="")} if p in text]
    for i in range(len(pw) - 4):
        piece = pw[i : i + 5]
        if sum(c in DISTINCT for c in piece) >= 2 and piece in text:
            found.append(piece)
    return found


def files_text(root: Path) -> str:
    """Everything the verbs wrote: .dbm/ state, backup manifests (not the dumps' data, not sources)."""
    out = []
    for path in root.rglob("*"):
        if path.is_file() and not path.name.startswith(".env") and path.suffix in ("", ".json", ".txt", ".log"):
            out.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(out)


# --- the property -------------------------------------------------------------------------------

SOURCES = ["dotenv_url", "dotenv_parts", "process_env", "env_url"]
DIALECTS = ["postgresql", "mysql"]


@settings(
    max_examples=int(os.environ.get("DBM_HOSTILE_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(pw=passwords, source=st.sampled_from(SOURCES), dialect=st.sampled_from(DIALECTS))
@example(pw="QX[ZJ]@/:#?&='\"\\$ ü密" + "Qx7" * 60, source="dotenv_url", dialect="postgresql")
@example(pw="Pa[ss@w0rdQXZJ${HOME}", source="dotenv_parts", dialect="mysql")
def test_any_password_any_source(pw, source, dialect, pg_app, mysql_app, ipython):
    masking._registered.clear()  # as in a fresh process: nothing known before the sources are read
    port, set_pg = pg_app
    if dialect == "postgresql":
        set_pg(pw)
        parts = {"user": "hostile", "db": "hostile_db", "port": str(port), "dialect": "postgresql"}
    else:
        mysql_app(pw)
        parts = {"user": "dbm_hostile", "db": "dbm_hostile_db", "port": "3306", "dialect": "mysql"}
    scheme = "postgresql" if dialect == "postgresql" else "mysql"
    url = f"{scheme}://{parts['user']}:{quote(pw, safe='')}@127.0.0.1:{parts['port']}/{parts['db']}"
    root = Path(tempfile.mkdtemp(prefix="dbm-hostile-"))
    with pytest.MonkeyPatch.context() as monkeypatch:  # per example: hypothesis reuses the test's fixtures
        check_one(pw, source, url, parts, root, ipython, monkeypatch)


def check_one(pw, source, url, parts, root, ipython, monkeypatch) -> None:
    try:
        variables, env_arg = write_source(root, source, url, {**parts, "password": pw})
        if source == "dotenv_parts" and not (root / ".env").exists():
            return  # not writable in a .env file at all (a ' and a ${ together)
        for key, value in variables.items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(root)
        env_opt = ["--env", env_arg] if env_arg else []
        seen: list[str] = []
        for verb in (["env"], ["detect"], ["status"], ["migrate", "--dry-run"]):
            argv = [*verb, *(env_opt if verb[0] != "env" else [])]
            seen.append(cli(*argv))
            seen.append(cli(*argv, "--format", "json"))
        seen.append(api_call(api.env))
        seen.append(api_call(api.detect, env=env_arg))
        status = api_call(api.status, env=env_arg)
        seen.append(status)
        assert "Error" not in status.split("\n", 1)[0], status  # the correctly encoded password connects
        seen.append(magic(ipython, "status " + (f"--env '{env_arg}'" if env_arg else "")))
        with contextlib.redirect_stdout(io.StringIO()):
            ipython.run_line_magic("xmode", "Verbose")
        seen.append(magic(ipython, "status --env 'postgresql://u:" + quote(pw, safe="") + "@127.0.0.1:1/x'"))
        applied = api_call(api.migrate, env=env_arg, yes=True, no_backup=True)
        seen.append(applied)
        assert "applied" in applied, applied
        seen.append(cli("backup", *env_opt, "--backup-dir", str(root / "backups")))
        wrong = url.replace(quote(pw, safe=""), quote(pw[::-1] + "x", safe=""))  # wrong password: driver's words
        seen.append(cli("status", "--env", wrong))
        seen.append(files_text(root))
        everything = "\n".join(seen)
        assert "Traceback" not in everything, everything[-3000:]
        assert not leaks(pw, everything), (leaks(pw, everything), everything[-3000:])
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("char", ["@", "/", "#", "?"])
def test_ambiguous_url_says_where_and_how(tmp_path, run_dbm, char):
    """An unencoded @ or / in a URL's password: one clear line naming file, line and variable, for that
    environment only; never a host taken from a piece of the password."""
    rawsql(tmp_path)
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///dev.db\n")
    (tmp_path / ".env.staging").write_text(f"# staging\nDATABASE_URL=postgresql://app:QXZ{char}JKV9wq@127.0.0.1/db\n")
    ok = run_dbm("env", cwd=tmp_path)
    assert ok.returncode == 0 and "development" in ok.stdout, ok.stderr
    status = run_dbm("status", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    bad = run_dbm("status", "--env", "staging", cwd=tmp_path)
    text = bad.stdout + bad.stderr
    assert bad.returncode == 2 and "Traceback" not in text
    assert ".env.staging line 2 (DATABASE_URL)" in text and f"unencoded '{char}'" in text and "%40" in text
    assert "JKV9wq" not in text and "QXZ" not in text


def test_unreadable_env_file_breaks_only_its_environment(tmp_path, run_dbm):
    rawsql(tmp_path)
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///dev.db\n")
    (tmp_path / ".env.staging").write_bytes(b"A=1\nDATABASE_URL=postgresql://u:\xff\xfe@h/db\n")
    (tmp_path / ".env.test").write_text("DATABASE_URL=postgresql://u:p@h:54x2/db\n")
    for verb in ("env", "detect", "status"):
        out = run_dbm(verb, cwd=tmp_path)
        assert out.returncode == 0 and "Traceback" not in out.stderr, (verb, out.stderr)
    staging = run_dbm("status", "--env", "staging", cwd=tmp_path)
    assert ".env.staging line 2 is not UTF-8" in staging.stderr and "Traceback" not in staging.stderr
    test = run_dbm("status", "--env", "test", "--format", "json", cwd=tmp_path)
    assert ".env.test line 1 (DATABASE_URL)" in json.loads(test.stdout)["what"]


def test_single_quoted_dotenv_value_stays_literal(tmp_path):
    from dbmigrate_magic.dotenv_file import read_dotenv_file

    (tmp_path / ".env").write_text("A='x${HOME}y'\nB=\"x${HOME}y\"\nC=x${HOME}y\n")
    values = read_dotenv_file(tmp_path / ".env").values
    home = os.environ["HOME"]
    assert values == {"A": "x${HOME}y", "B": f"x{home}y", "C": f"x{home}y"}


@pytest.mark.parametrize(
    "text",
    [
        "20250101_add_password_reset_token: applied",
        "UPDATE users SET password_reset_token = NULL WHERE password = $1",
        "ALTER TABLE users ADD COLUMN password_hash text -- the password hash, never the password",
    ],
)
def test_mask_keeps_words_that_are_not_secrets(text):
    assert masking.mask(text) == text


def test_mask_keeps_jdbc_punctuation():
    assert masking.mask("(jdbc:postgresql://h:5432/db?user=u&password=s3cr3t):") == (
        "(jdbc:postgresql://h:5432/db?user=u&password=***):"
    )


def test_secret_url_never_shows_itself():
    from dbmigrate_magic.secret_url import SecretUrl

    url = SecretUrl("postgresql+psycopg://u:QXZ%5Bpw@h/db")
    for shown in (str(url), repr(url), f"{url}", repr([url]), str(ValueError(url))):
        assert "QXZ" not in shown and "***" in shown
    assert url.reveal().endswith("QXZ%5Bpw@h/db") and url.startswith("postgresql")


def test_url_without_database_is_refused_for_writes(tmp_path, pg_url):
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20250101000000_init.sql").write_text("-- UP\ncreate table nodb_t (id int);\n")
    server = pg_url.rsplit("/", 1)[0]  # the same server, no database named
    with pytest.raises(DbmError, match="names no database"):
        api.migrate(tmp_path, env=server, yes=True, no_backup=True)


def test_failed_first_migration_leaves_no_tracking_table(tmp_path, db_url):
    from sqlalchemy import create_engine, inspect

    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20250101000000_bad.sql").write_text("-- UP\ncreate tabel oops (id int);\n")
    with pytest.raises(DbmError):
        api.migrate(tmp_path, env=db_url, yes=True, no_backup=True)
    engine = create_engine(db_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_magic_warns_once_when_the_cell_holds_a_password(ipython, tmp_path, monkeypatch):
    from IPython.utils.capture import capture_output

    rawsql(tmp_path)
    monkeypatch.chdir(tmp_path)
    with capture_output() as cap:
        ipython.run_line_magic("dbm", f"status --env sqlite:///{tmp_path / 'x.db'}?password=QXZJKV9wq")
    assert cap.stdout.count("holds a database password") == 1 and "QXZJKV9wq" not in cap.stdout
    with capture_output() as cap:
        ipython.run_line_magic("dbm", f"status --env sqlite:///{tmp_path / 'x.db'}")
    assert "holds a database password" not in cap.stdout
