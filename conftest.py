"""Shared fixtures: real servers (each test gets its own database), the CLI as a subprocess,
and a real IPython shell whose failures are raised."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parent
PG_URL = os.environ.get("DBM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MYSQL_URL = os.environ.get("DBM_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
REQUIRE_SERVERS = os.environ.get("DBM_REQUIRE_SERVERS") == "1"
# Kernels started by nbval and CLI subprocesses import this checkout, installed or not.
os.environ["PYTHONPATH"] = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")


def missing(message: str) -> NoReturn:
    """A prerequisite (server, node, npm package, java) is absent: skip on a developer's machine,
    fail under DBM_REQUIRE_SERVERS=1 (CI), where a skip would hide that the test never ran."""
    if REQUIRE_SERVERS:
        pytest.fail(f"{message}; DBM_REQUIRE_SERVERS=1 makes this a failure")
    pytest.skip(message)


def _unavailable(what: str, exc: BaseException) -> None:
    missing(f"{what} is not reachable ({type(exc).__name__}: {exc})")


def _server_engine(url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def new_database(kind: str) -> tuple[str, callable]:
    """Create a uniquely named database on the server; return its URL and a dropper."""
    from sqlalchemy import text

    base = PG_URL if kind == "postgres" else MYSQL_URL
    name = f"dbm_test_{uuid.uuid4().hex[:12]}"
    engine = _server_engine(base)
    try:
        with engine.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:  # server down, wrong credentials
        engine.dispose()
        _unavailable("PostgreSQL" if kind == "postgres" else "MySQL/MariaDB", exc)

    def drop() -> None:
        with engine.connect() as conn:
            if kind == "postgres":
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        engine.dispose()

    return _with_database(base, name), drop


@pytest.fixture
def pg_url():
    """URL of a fresh PostgreSQL database, dropped afterwards."""
    url, drop = new_database("postgres")
    yield url
    drop()


@pytest.fixture
def mysql_url():
    """URL of a fresh MySQL/MariaDB database, dropped afterwards."""
    url, drop = new_database("mysql")
    yield url
    drop()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def db_url(request, tmp_path):
    """A fresh database on each of the three dialects in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    url, drop = new_database(request.param)
    yield url
    drop()


@pytest.fixture
def second_db(db_url, tmp_path):
    """A second, empty database of the same kind as ``db_url`` (a restore or diff target)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    url, drop = new_database("postgres" if db_url.startswith("postgresql") else "mysql")
    yield url
    drop()


def dbm_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    for var in ("DATABASE_URL", "DBM_ENV"):
        env.pop(var, None)
    if extra:
        env.update(extra)
    return env


@pytest.fixture
def run_dbm():
    """Run the real ``dbm`` command line (``python -m dbmigrate_magic``) in a subprocess."""

    def run(
        *args: str,
        cwd: Path | str | None = None,
        env: dict[str, str] | None = None,
        input: str | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "dbmigrate_magic", *map(str, args)],
            cwd=cwd,
            env=dbm_env(env),
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
        )

    return run


@pytest.fixture
def ipython(tmp_path, monkeypatch):
    """A real InteractiveShell with the extension loaded; errors propagate to the test."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython() or InteractiveShell.instance()
    shell.run_line_magic("load_ext", "dbmigrate_magic")
    yield shell
    shell.run_line_magic("unload_ext", "dbmigrate_magic")


@pytest.fixture(autouse=True)
def _node_tools(request):
    """Every test marked ``node`` first checks node, npm, npx and the pinned npm packages, so a
    missing one is a skip here and a failure in CI (DBM_REQUIRE_SERVERS=1), never a confusing error."""
    if request.node.get_closest_marker("node"):
        from tests.node_projects import require_node_modules

        require_node_modules()


@pytest.fixture(autouse=True)
def _clean_process_env(monkeypatch):
    """Tests start without a DATABASE_URL or DBM_ENV from the developer's shell."""
    for var in ("DATABASE_URL", "DBM_ENV", "SQLALCHEMY_DATABASE_URI", "POSTGRES_URL", "DB_HOST"):
        monkeypatch.delenv(var, raising=False)
    from dbmigrate_magic import active_env

    active_env._active.clear()
    active_env.default_env = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A runbook cell whose %dbm magic failed fails the runbook. The magic raises ``UsageError``,
    which IPython prints on stderr instead of sending an error, and nbval passes such a cell: the
    runbook would carry on after a refused or failed migrate."""
    result = yield
    for out in getattr(item, "test_outputs", None) or ():  # nbval's cells keep their outputs here
        if out.get("name") == "stderr" and "UsageError:" in out.get("text", ""):
            pytest.fail(f"{item.name}: a magic failed\n{out['text']}", pytrace=False)
    return result
