"""A MariaDB user whose password is not ASCII, through every way dbm connects.

PyMySQL sends a ``str`` password as latin-1, so ``密`` cannot be sent at all; dbm sends it as UTF-8
as the mariadb client does. The runner opens PyMySQL itself (no SQLAlchemy loaded) and Alembic's
env.py makes its own SQLAlchemy engine: both must log in.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from conftest import MYSQL_URL, _server_engine
from dbmigrate_magic import api
from tests import alembic_project as ap
from tests.helpers import make_project, recorded, tables

PASSWORD = "pä密w0rd"


@pytest.fixture
def utf8_user(mysql_url):
    """(URL of a fresh database as a user with a non-ASCII password, root's URL of it to look with)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    user = f"dbm_u8_{uuid.uuid4().hex[:8]}"
    database = make_url(mysql_url).database
    engine = _server_engine(MYSQL_URL)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE USER '{user}'@'%%' IDENTIFIED BY %s", (PASSWORD,))
        conn.execute(text(f"GRANT ALL ON {database}.* TO '{user}'@'%'"))
    try:
        yield f"mysql+pymysql://{user}:{quote(PASSWORD, safe='')}@127.0.0.1:3306/{database}", mysql_url
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"DROP USER IF EXISTS '{user}'@'%'"))
        engine.dispose()


@pytest.mark.mysql
def test_the_raw_sql_runner_logs_in_with_a_non_ascii_password(utf8_user, tmp_path):
    url, look = utf8_user
    raw = make_project(tmp_path / "raw", url, {"20250101000000_a.sql": "-- UP\nCREATE TABLE a (id INT);\n"})
    assert api.migrate(raw, yes=True).status == "applied"
    assert recorded(look) == {"20250101000000_a.sql": "applied"}
    assert [r.state for r in api.status(raw).rows] == ["applied"]


@pytest.mark.mysql
def test_alembic_logs_in_with_a_non_ascii_password(utf8_user, tmp_path):
    url, look = utf8_user
    root = ap.init(tmp_path / "alembic", url)
    ap.revision(root, "b1", "b", up="CREATE TABLE b (id INT)", down="DROP TABLE b")
    done = api.migrate(root, yes=True)
    assert done.status == "applied", done
    assert "b" in tables(look)
    assert [r.state for r in api.status(root).rows] == ["applied"]
    assert api.rollback(root, yes=True).status == "rolled back"
    assert "b" not in tables(look)
