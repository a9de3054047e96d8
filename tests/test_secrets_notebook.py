"""A saved notebook holds no password: a notebook that loads the magic, turns on ``%xmode
Verbose`` (tracebacks with every frame's locals), runs ``env``, ``status``, ``migrate --dry-run``
and verbs that fail (a wrong password, an unreachable server) with a generated password in the
``.env`` files, is executed with nbclient and saved; neither the .ipynb (outputs, tracebacks) nor
``.dbm/`` files and backup manifests contain the password or any 5+ character piece of it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings

from tests.test_secrets_hostile import (  # noqa: F401  (fixtures)
    files_text,
    leaks,
    passwords,
    pg_app,
    rawsql,
    scram_pg,
)

ROOT = Path(__file__).resolve().parent.parent

CELLS = [
    "%load_ext dbmigrate_magic",
    "%xmode Verbose",
    "%dbm env",
    "%dbm status",
    "%dbm migrate --dry-run",
    "%dbm status --env staging",  # the wrong password: the driver's own words
    "%dbm migrate --env staging --yes --no-backup",
    "%dbm backup --env unreachable",  # nothing listens there: pg_dump's words
    # the same failure raised into the notebook: a Verbose traceback shows every frame's locals
    "from dbmigrate_magic import api\napi.migrate(env='staging', yes=True, no_backup=True)",
    "api.status(env='unreachable').to_dict()",
    "[(e, e.url, e.found) for e in api.env().environments]",
]


def run_notebook(root: Path) -> Path:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    client = NotebookClient(
        nb, timeout=180, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(root)}}
    )
    client.execute()
    path = root / "saved.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.postgres
@settings(
    max_examples=2,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(pw=passwords)
@example(pw="QX[ZJ]@/:#?&='\"\\$ ü密Kw7")
def test_saved_notebook_holds_no_password(pw, pg_app):
    port, set_pg = pg_app
    set_pg(pw)
    enc = quote(pw, safe="")
    wrong = quote(pw[::-1] + "Q", safe="")
    root = Path(tempfile.mkdtemp(prefix="dbm-nb-"))
    try:
        rawsql(root)
        (root / ".env").write_text(f"DATABASE_URL=postgresql://hostile:{enc}@127.0.0.1:{port}/hostile_db\n")
        (root / ".env.staging").write_text(f"DATABASE_URL=postgresql://hostile:{wrong}@127.0.0.1:{port}/hostile_db\n")
        (root / ".env.unreachable").write_text(f"DATABASE_URL=postgresql://hostile:{enc}@127.0.0.1:1/hostile_db\n")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
            path = run_notebook(root)
        saved = path.read_text(encoding="utf-8")
        assert "hostile_db" in saved and "***" in saved, saved[-3000:]  # the cells ran and masked
        assert "ConnectionFailed" in saved or "Could not connect" in saved, saved[-3000:]
        for secret in (pw, pw[::-1] + "Q"):
            assert not leaks(secret, saved), (leaks(secret, saved), saved[-4000:])
            assert not leaks(secret, files_text(root))  # .dbm/ state, backup manifests
    finally:
        shutil.rmtree(root, ignore_errors=True)
