"""Django projects whose Django lives only in the project's own environment: dbm, running under a
Python without Django, uses the project's interpreter (``.venv``) for manage.py, and without one
reads the migration graph statically and says so. Read-only verbs never talk of transactions."""

from __future__ import annotations

import site
import subprocess
import sys
from pathlib import Path

from tests import django_project as dj
from tests.helpers import status_json
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
