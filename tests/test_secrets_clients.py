"""Client tools and drivers failing on a connection that holds a generated password: pg_dump,
pg_restore, mariadb-dump, mariadb (mysql), psycopg, PyMySQL and sqlite3, driven through the verbs
(status, migrate, backup, restore --verify) with a wrong host, a wrong password and an unknown
database. What the user reads names no password nor any 5+ character piece of it, and says what
happened and what to do next.

PostgreSQL is the throw-away scram-sha-256 instance of test_secrets_hostile (the shared server
trusts every password); MariaDB has a real user whose password is the generated one.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from dbmigrate_magic import api, masking
from dbmigrate_magic.errors import DbmError
from tests.test_secrets_hostile import (  # noqa: F401  (fixtures)
    cli,
    leaks,
    mysql_app,
    passwords,
    pg_app,
    rawsql,
    scram_pg,
)

#: what the message must say happened, per failure (any one of the words, lower case)
SAID = {
    "host": ("could not connect", "can't connect", "connection refused", "resolve", "translate host", "unknown"),
    "password": ("password authentication failed", "access denied"),
    "database": ("does not exist", "unknown database", "to database"),  # MariaDB: 1044 for a user
}


#: the next step each failure must be given (db.connection_advice), lower case
ADVICE = {"host": "could not be reached", "password": "refused the user name or password", "database": "database name"}


def failing_url(kind: str, good: str, pw: str) -> str:
    enc = quote(pw, safe="")
    if kind == "host":
        return good.replace("@127.0.0.1:", "@no-such-host.invalid:")
    if kind == "password":
        return good.replace(enc, quote(pw[::-1] + "Q", safe=""))
    return good.rsplit("/", 1)[0] + "/dbm_no_such_db"


def run_verbs(root: Path, url: str, backup_name: str | None) -> dict[str, str]:
    """Each verb on the failing URL, from the api (message and repr) and the CLI (text and JSON);
    the current folder is ``root``."""
    bk = str(root / "bk")
    calls = {
        "status": (lambda: api.status(root, env=url), ["status", "--env", url]),
        "migrate": (
            lambda: api.migrate(root, env=url, yes=True, no_backup=True),
            ["migrate", "--env", url, "--yes", "--no-backup"],
        ),
        "backup": (lambda: api.backup(root, env=url, backup_dir=bk), ["backup", "--env", url, "--dir", bk]),
    }
    if backup_name:
        calls["restore --verify"] = (
            lambda: api.restore(backup_name, root, env=url, verify=True, backup_dir=bk),
            ["restore", backup_name, "--env", url, "--verify", "--dir", bk],
        )
    seen: dict[str, str] = {}
    for verb, (call, argv) in calls.items():
        try:
            result = call()
            shown = f"{result!r}\n{result.to_dict()}"
        except DbmError as exc:
            shown = f"{type(exc).__name__}: {exc}\n{exc!r}\n{exc.to_dict()}"
        seen[verb] = "\n".join((shown, cli(*argv), cli(*argv, "--format", "json")))
    return seen


def check_messages(pw: str, kind: str, seen: dict[str, str]) -> None:
    for verb, text in seen.items():
        assert "Traceback" not in text, (verb, text[-3000:])
        assert not leaks(pw, text), (verb, leaks(pw, text), text[-3000:])
        low = text.lower()
        assert any(word in low for word in SAID[kind]), (verb, kind, text[-3000:])
        # what to do, for this failure (a scratch database for --verify is created before the
        # unknown database is read: the grant it needs comes first)
        wanted = (
            (ADVICE[kind], "grant", "createdb")
            if verb == "restore --verify" and kind == "database"
            else (ADVICE[kind],)
        )
        assert any(w in low for w in wanted), (verb, kind, text[-3000:])


EXAMPLES = settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failing case is shown as found: shrinking takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.postgres
@EXAMPLES
@given(pw=passwords, kind=st.sampled_from(sorted(SAID)))
@example(pw="Pa[ss@w0rdQXZJ${HOME}", kind="password")
def test_postgres_client_errors_are_masked_and_say_what_to_do(pw, kind, pg_app, tmp_path_factory):
    port, set_pg = pg_app
    set_pg(pw)
    good = f"postgresql://hostile:{quote(pw, safe='')}@127.0.0.1:{port}/hostile_db"
    one_case(pw, kind, good)


@pytest.mark.mysql
@EXAMPLES
@given(pw=passwords, kind=st.sampled_from(sorted(SAID)))
@example(pw="QXZ'\\\"密ü 2357jk", kind="password")
def test_mysql_client_errors_are_masked_and_say_what_to_do(pw, kind, mysql_app):
    mysql_app(pw)
    good = f"mysql://dbm_hostile:{quote(pw, safe='')}@127.0.0.1:3306/dbm_hostile_db"
    one_case(pw, kind, good)


def one_case(pw: str, kind: str, good: str) -> None:
    masking._registered.clear()
    root = Path(tempfile.mkdtemp(prefix="dbm-clients-"))
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.chdir(root)
            rawsql(root)
            api.migrate(root, env=good, yes=True, no_backup=True)
            name = api.backup(root, env=good, backup_dir=str(root / "bk")).to_dict()["name"]
            masking._registered.clear()  # as in a new process that reads only the failing URL
            check_messages(pw, kind, run_verbs(root, failing_url(kind, good, pw), name))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_sqlite_errors_are_masked(tmp_path, monkeypatch):
    """sqlite3 has no password, but a URL may carry one in its query (libSQL/SQLCipher style)."""
    pw = "QXZJ-kvw9-2357"
    rawsql(tmp_path)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path}/no/such/dir/x.db?password={pw}"
    seen = run_verbs(tmp_path, url, None)
    for verb, text in seen.items():
        assert "Traceback" not in text and not leaks(pw, text), (verb, text[-3000:])
        if verb != "status":  # status reads nothing from a file that is not there (and says so)
            assert "folder does not exist" in text or "does not exist." in text, (verb, text[-3000:])
