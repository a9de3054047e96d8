"""Lines of a ``.env`` file that python-dotenv skips (it says nothing) or reads unlike Node's dotenv
are reported as a note for the environment of that file, naming file, line and variable, never the
value; and the cheap reading of plain server URLs gives what SQLAlchemy's reading gives."""

from __future__ import annotations

import json
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from dbmigrate_magic import api
from tests.helpers import write_files

SECRET = "QXZJ-kvw9-secret"
RAW = {"migrations/20250101000000_init.sql": "-- UP\ncreate table t (id int);\n"}


def test_skipped_line_is_a_note_for_its_environment_only(tmp_path, run_dbm):
    project = write_files(
        tmp_path,
        {
            **RAW,
            ".env": "DATABASE_URL=sqlite:///dev.db\n",
            ".env.staging": f'DATABASE_URL=sqlite:///st.db\nAPI_PASSWORD="{SECRET}\nOTHER=1\n',
        },
    )
    out = run_dbm("env", "--format", "json", cwd=project)
    assert out.returncode == 0, out.stderr
    envs = {e["name"]: e for e in json.loads(out.stdout)["environments"]}
    assert envs["development"]["note"] is None
    note = envs["staging"]["note"]
    assert ".env.staging line 2" in note and "(API_PASSWORD=***)" in note and "double quotes" in note, note
    assert envs["staging"]["url"].endswith("st.db")  # the other lines still count
    text = run_dbm("env", cwd=project)
    assert ".env.staging line 2" in text.stdout and "kvw9" not in text.stdout + text.stderr + out.stdout


def test_skipped_url_line_makes_its_environment_say_why(tmp_path, run_dbm):
    project = write_files(
        tmp_path,
        {**RAW, ".env": "DATABASE_URL=sqlite:///dev.db\n", ".env.test": f"DATABASE_URL='postgres://u:{SECRET}@h/db\n"},
    )
    assert run_dbm("status", cwd=project).returncode == 0  # development keeps working
    out = run_dbm("status", "--env", "test", cwd=project)
    text = out.stdout + out.stderr
    assert out.returncode == 2 and ".env.test line 1 (DATABASE_URL=***)" in text and "Traceback" not in text, text
    assert "kvw9" not in text


def test_backslash_quote_in_single_quotes_gets_the_double_quote_fix(tmp_path):
    project = write_files(
        tmp_path,
        {**RAW, ".env": "DB_HOST=127.0.0.1\nDB_NAME=x\nDB_USER=u\nDB_DIALECT=postgresql\nDB_PASSWORD='QXZ\\'kvw9'\n"},
    )
    env = api.env(project=project).environments[0]
    assert env.url, "the line is read (python-dotenv's way), and the note says it is ambiguous"
    assert ".env line 5 (DB_PASSWORD=***)" in env.note and "double quotes" in env.note, env.note
    assert "kvw9" not in env.note and "kvw9" not in repr(api.env(project=project))


PLAIN = st.text("abcXYZ019._~-", min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(
    user=PLAIN,
    pw=st.text(min_size=1, max_size=20),
    host=st.sampled_from(["127.0.0.1", "db.example.com", "h"]),
    port=st.sampled_from(["", ":5432", ":3306"]),
    db=st.sampled_from(["", "/app", "/app_db-1"]),
    scheme=st.sampled_from(["postgresql+psycopg", "mysql+pymysql"]),
)
def test_plain_urls_read_without_sqlalchemy_read_the_same(user, pw, host, port, db, scheme):
    """The fast path (no SQLAlchemy import) must give the URL SQLAlchemy's reading gives."""
    from sqlalchemy.engine.url import make_url

    from dbmigrate_magic import server_url as su

    rest = f"{user}:{quote(pw, safe='')}@{host}{port}{db}"
    fast, _ = su.server_url(scheme, rest, f"{scheme}://{rest}", "")
    assert su._PLAIN.fullmatch(rest)
    slow, _ = su.server_url(scheme, rest + "?sslmode=prefer", f"{scheme}://{rest}", "")  # forced through SQLAlchemy
    a, b = make_url(fast.reveal()), make_url(slow.reveal()).difference_update_query(["sslmode"])
    assert (a.username, a.password, a.host, a.port, a.database) == (b.username, b.password, b.host, b.port, b.database)
    assert a.password == pw
