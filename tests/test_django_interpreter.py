"""Django projects whose Django lives only in the project's own environment: dbm, running under a
Python without Django, uses the project's interpreter (``.venv``) for manage.py, and without one
reads the migration graph statically and says so. Read-only verbs never talk of transactions."""

from __future__ import annotations

import site
import subprocess
import sys
from pathlib import Path

from tests import django_project as dj
from tests.helpers import status_json, write_files
from tests.test_django_status import build, ours

BLOCKER = """import os, sys
if os.environ.get("DBM_TEST_NO_DJANGO_PREFIX") == sys.prefix:
    class _NoDjango:
        def find_spec(self, name, path=None, target=None):
            if name == "django" or name.startswith("django."):
                raise ModuleNotFoundError("No module named 'django'", name=name)
            return None
    sys.meta_path.insert(0, _NoDjango())
"""


def without_django(tmp_path: Path) -> dict[str, str]:
    """Environment for ``run_dbm`` in which dbm's own Python cannot import Django (the test's
    interpreter with an import blocker), while any other interpreter is left alone."""
    folder = tmp_path / "no_django"
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(BLOCKER)
    out = subprocess.run(
        [sys.executable, "-c", "import django"],
        env={"PYTHONPATH": str(folder), "DBM_TEST_NO_DJANGO_PREFIX": sys.prefix},
        capture_output=True,
    )
    assert out.returncode != 0  # the blocker works
    return {"PYTHONPATH": str(folder), "DBM_TEST_NO_DJANGO_PREFIX": sys.prefix}


def project_venv(root: Path) -> Path:
    """``.venv`` made by ``python -m venv`` whose site-packages lists the test environment's
    (where Django is installed) in a .pth file: fast, and Django importable only through it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / ".venv")], check=True)
    sites = list((root / ".venv" / "lib").glob("python3*/site-packages"))
    (sites[0] / "shared.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return root / ".venv" / "bin" / "python"


def test_status_uses_the_projects_venv_when_django_is_not_importable(tmp_path, run_dbm, sqlite_url):
    root = build(tmp_path / "proj", sqlite_url)
    settings = root / "mysite" / "settings.py"  # not readable statically: manage.py must run
    settings.write_text(settings.read_text().replace('    "blog",\n]', ']\nINSTALLED_APPS += ["blog"]'))
    dj.manage(root, sqlite_url, "migrate", "shop")
    python = project_venv(root)
    env = without_django(tmp_path)

    out = run_dbm("status", root, "--format", "json", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    import json

    data = json.loads(out.stdout)
    assert ours(data) == dj.showmigrations_plan(root, sqlite_url)
    assert any("read by loading Django with the project's interpreter (.venv" in n for n in data["summary"]["notes"])
    assert any(str(python) in n for n in data["summary"]["notes"])


def test_static_fallback_without_any_django_says_so(tmp_path, run_dbm, sqlite_url):
    root = build(tmp_path / "proj", sqlite_url)
    dj.manage(root, sqlite_url, "migrate", "shop")
    env = without_django(tmp_path)

    data = status_json(lambda *a: run_dbm(*a, env=env), root)
    rows = {r["migration"]: r["state"] for r in data["migrations"]}
    assert rows["shop.0001_initial"] == "applied" and rows["blog.0001_initial"] == "pending"
    note = next(n for n in data["summary"]["notes"] if "Django is not importable here" in n)
    assert "read statically" in note and "django.contrib.auth" in note

    # settings that only running them can tell, and no Django anywhere: a clear refusal, no
    # talk of transactions (nothing was run)
    settings = root / "mysite" / "settings.py"
    settings.write_text(settings.read_text().replace('    "blog",\n]', ']\nINSTALLED_APPS += ["blog"]'))
    out = run_dbm("status", root, env=env)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "no project environment holding Django was found" in text
    assert "transaction" not in text and "ModuleNotFoundError" not in text


def fake_env(folder: Path, with_django: bool = True) -> Path:
    """A virtual environment's shape (pyvenv.cfg, bin/python, site-packages) without installing it."""
    (folder / "bin").mkdir(parents=True)
    (folder / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (folder / "bin" / "python").symlink_to(sys.executable)
    sp = folder / "lib" / "python3.11" / "site-packages"
    sp.mkdir(parents=True)
    if with_django:
        (sp / "django").mkdir()
        (sp / "django" / "__init__.py").write_text("")
    return folder


def test_poetry_pipenv_and_virtual_env_environments_are_found(tmp_path, monkeypatch):
    from dbmigrate_magic.adapters.django.interpreter import project_env

    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("UV_PROJECT_ENVIRONMENT", raising=False)

    poetry = write_files(tmp_path / "shop", {"pyproject.toml": '[tool.poetry]\nname = "My_Shop"\nversion = "1"\n'})
    env = fake_env(home / ".cache" / "pypoetry" / "virtualenvs" / "my-shop-AbC123-py3.11")
    assert project_env(poetry) == (
        str(env / "bin" / "python"),
        f"the project's interpreter (Poetry: {env / 'bin' / 'python'})",
    )

    pipenv = write_files(tmp_path / "blog", {"Pipfile": "[packages]\ndjango = '*'\n"})
    env = fake_env(home / ".local" / "share" / "virtualenvs" / "blog-x1Y2z3")
    assert project_env(pipenv)[0] == str(env / "bin" / "python")

    active = write_files(tmp_path / "site", {"manage.py": ""})
    fake_env(active / "venv", with_django=False)  # a venv without Django does not count
    env = fake_env(tmp_path / "elsewhere")
    monkeypatch.setenv("VIRTUAL_ENV", str(env))
    assert project_env(active) == (
        str(env / "bin" / "python"),
        f"the project's interpreter ($VIRTUAL_ENV: {env / 'bin' / 'python'})",
    )
    assert project_env(write_files(tmp_path / "none", {"manage.py": ""})) is not None  # $VIRTUAL_ENV still set
    monkeypatch.delenv("VIRTUAL_ENV")
    assert project_env(write_files(tmp_path / "none2", {"manage.py": ""})) is None


def test_a_dependency_missing_where_django_runs_falls_back_to_the_static_graph(tmp_path, run_dbm, sqlite_url):
    """Django is importable, but the settings import a package that is not installed and install an
    app that is not either (a debug toolbar, ``dj_database_url``), and change INSTALLED_APPS inside an
    ``if``: read-only status still answers, from the static graph, and says what it left out."""
    root = build(tmp_path / "proj", sqlite_url)
    dj.manage(root, sqlite_url, "migrate", "shop")
    settings = root / "mysite" / "settings.py"
    text = settings.read_text().replace('    "blog",\n]', '    "blog",\n    "dbm_test_missing_toolbar",\n]')
    text += '\nimport dbm_test_missing_dep\nif "DBM_TEST_NEVER_SET" in os.environ:\n'
    text += '    INSTALLED_APPS.append("django.contrib.postgres")\n'
    settings.write_text("import os\n" + text)

    data = status_json(run_dbm, root)
    rows = {r["migration"]: r["state"] for r in data["migrations"]}
    assert rows["shop.0001_initial"] == "applied" and rows["blog.0001_initial"] == "pending"
    note = next(n for n in data["summary"]["notes"] if "Django could not load the project" in n)
    assert "dbm_test_missing_dep" in note and "read statically" in note
    assert "left out: dbm_test_missing_toolbar" in note
    assert "INSTALLED_APPS is changed inside a if block" in note
