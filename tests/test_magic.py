"""The %dbm magic in a real IPython shell, and the import boundary of the core."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from IPython.core.error import UsageError

from conftest import REPO, dbm_env


def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "migrations").mkdir(parents=True)
    (root / "migrations" / "20250101000000_init.sql").write_text(
        "-- UP\ncreate table t (id int);\n-- DOWN\ndrop table t;\n"
    )
    (root / ".env").write_text("DATABASE_URL=sqlite:///dev.db\n")
    (root / ".env.staging").write_text("DATABASE_URL=sqlite:///staging.db\n")
    return root


def test_load_unload_and_load_twice(ipython):
    assert "dbm" in ipython.magics_manager.magics["line"]
    assert "dbm" in ipython.magics_manager.magics["cell"]
    ipython.run_line_magic("load_ext", "dbmigrate_magic")  # already loaded: harmless
    ipython.run_line_magic("reload_ext", "dbmigrate_magic")
    assert "dbm" in ipython.magics_manager.magics["line"]
    ipython.run_line_magic("unload_ext", "dbmigrate_magic")
    assert "dbm" not in ipython.magics_manager.magics["line"]
    assert "dbm" not in ipython.magics_manager.magics["cell"]
    ipython.run_line_magic("load_ext", "dbmigrate_magic")
    ipython.run_line_magic("load_ext", "dbmigrate_magic")
    assert "dbm" in ipython.magics_manager.magics["line"]


@pytest.mark.parametrize("line", ["frobnicate", "detect --no-such-flag", "env --format yaml", "", "status --df"])
def test_bad_input_raises_usage_error_with_usage_line(ipython, line):
    with pytest.raises(UsageError) as err:
        ipython.run_line_magic("dbm", line)
    assert "usage:" in str(err.value).lower() or "%dbm VERB" in str(err.value)
    assert "%dbm" in str(err.value)


def test_help(ipython, capsys):
    ipython.run_line_magic("dbm", "--help")
    out = capsys.readouterr().out
    assert "detect" in out and "env" in out and "status" in out
    ipython.run_line_magic("dbm", "detect --help")
    out = capsys.readouterr().out
    assert "usage: %dbm detect" in out and "--df" in out
    ipython.run_line_magic("dbm", "env --help")
    assert "usage: %dbm env" in capsys.readouterr().out


def test_config_default_env_changes_the_environment(ipython, tmp_path):
    root = project(tmp_path)
    assert ipython.run_line_magic("dbm", f"detect {root}").environment == "development"
    ipython.run_line_magic("config", "Dbm.default_env = 'staging'")
    try:
        result = ipython.run_line_magic("dbm", f"detect {root}")
        assert result.environment == "staging" and result.connection.endswith("/staging.db")
        assert ipython.run_line_magic("dbm", f"env --project {root}").active == "staging"
    finally:
        ipython.run_line_magic("config", "Dbm.default_env = ''")
    assert ipython.run_line_magic("dbm", f"detect {root}").environment == "development"


def test_env_name_selects_the_active_environment(ipython, tmp_path):
    root = project(tmp_path)
    result = ipython.run_line_magic("dbm", f"env staging --project {root}")
    assert result.active == "staging"
    assert ipython.run_line_magic("dbm", f"detect {root}").environment == "staging"
    assert not (root / ".dbm").exists()  # a notebook's choice stays in its own process
    with pytest.raises(UsageError, match="nope"):
        ipython.run_line_magic("dbm", f"env nope --project {root}")


def test_df_assignment(ipython, tmp_path):
    root = project(tmp_path)
    ipython.run_line_magic("dbm", f"env --project {root} --df envs")
    frame = ipython.user_ns["envs"]
    assert list(frame["environment"]) == ["development", "staging"]
    assert frame.loc[frame.environment == "staging", "url"].item().endswith("/staging.db")
    ipython.run_line_magic("dbm", f"detect {root} --df det")
    assert ipython.user_ns["det"].loc[0, "tool"] == "rawsql"
    with pytest.raises(UsageError, match="variable name"):
        ipython.run_line_magic("dbm", f"detect {root} --df 1bad")


def test_cell_form_rejected_for_line_verbs(ipython, tmp_path):
    with pytest.raises(UsageError, match="takes no cell"):
        ipython.run_cell_magic("dbm", f"detect {project(tmp_path)}", "select 1")


def test_errors_become_usage_errors_without_traceback(ipython, tmp_path):
    with pytest.raises(UsageError) as err:
        ipython.run_line_magic("dbm", f"detect {tmp_path / 'does-not-exist'}")
    assert "does not exist" in str(err.value) and "Traceback" not in str(err.value)


# --- import boundary --------------------------------------------------------------------
CORE_MODULES = [
    "dbmigrate_magic",
    "dbmigrate_magic.api",
    "dbmigrate_magic.config",
    "dbmigrate_magic.masking",
    "dbmigrate_magic.active_env",
    "dbmigrate_magic.project",
    "dbmigrate_magic.db",
    "dbmigrate_magic.errors",
    "dbmigrate_magic.results",
    "dbmigrate_magic.arguments",
    "dbmigrate_magic.argspec",
    "dbmigrate_magic.cli",
    "dbmigrate_magic.adapters",
    "dbmigrate_magic._verbs.detect",
    "dbmigrate_magic._verbs.environments",
    "dbmigrate_magic._verbs.status",
]


def core_modules() -> list[str]:
    """Every module of the package except the IPython front end (found on disk, so new ones count)."""
    pkg = REPO / "dbmigrate_magic"
    names = set(CORE_MODULES)
    for path in pkg.rglob("*.py"):
        rel = path.relative_to(REPO).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if name in ("dbmigrate_magic.magics",) or ".display.widgets" in name or name.endswith("__main__"):
            continue
        names.add(name)
    return sorted(names)


def run_python(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dbm_env(), cwd=REPO)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


FORBIDDEN = ("IPython", "ipywidgets", "pandas")


def test_core_does_not_import_ipython_widgets_or_pandas():
    """All core modules imported together in one fresh process (if none of them is pulled in then,
    no single module pulls it in); on failure, each module is checked alone to name the culprit."""
    modules = core_modules()
    assert len(modules) > 15
    loaded = run_python(
        f"import sys, json, importlib\nfor m in {modules!r}: importlib.import_module(m)\n"
        f"print(json.dumps([m for m in {FORBIDDEN!r} if m in sys.modules]))"
    )
    if loaded:
        culprits = {
            m: run_python(
                f"import sys, json, importlib; importlib.import_module({m!r}); "
                f"print(json.dumps([x for x in {FORBIDDEN!r} if x in sys.modules]))"
            )
            for m in modules
        }
        pytest.fail(f"core modules import {loaded}: { ({m: v for m, v in culprits.items() if v}) }")


def test_load_ext_does_not_import_pandas_sqlalchemy_or_widgets():
    loaded = run_python(
        "import sys, json\nfrom IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\nbefore = set(sys.modules)\n"
        "shell.run_line_magic('load_ext', 'dbmigrate_magic')\n"
        "assert 'dbm' in shell.magics_manager.magics['line']\n"
        "print(json.dumps(sorted(m for m in ('pandas', 'sqlalchemy', 'ipywidgets') if m in sys.modules)))"
    )
    assert loaded == []
