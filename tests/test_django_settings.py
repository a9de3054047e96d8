"""One Django settings reader: environment discovery (DATABASES) and the migration graph
(INSTALLED_APPS ...) read the same settings the same way (issue 11: two readers behaved differently)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbmigrate_magic.adapters.django import config, graph
from dbmigrate_magic.adapters.django.settings import settings_module

MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.dev')\n"
BASE = (
    "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\n"
    "INSTALLED_APPS = ['django.contrib.contenttypes'] + ['shop']\n"
    "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}\n"
)


def project(root: Path, dev: str, manage: str = MANAGE) -> Path:
    files = {
        "manage.py": manage,
        "mysite/__init__.py": "",
        "mysite/settings/__init__.py": "",
        "mysite/settings/base.py": BASE,
        "mysite/settings/dev.py": dev,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_split_settings_are_read_statically_by_both(tmp_path):
    """``from .base import *``: the graph used to give up and load Django; now both follow it."""
    root = project(tmp_path, "from .base import *\nMIGRATION_MODULES = {'shop': None}\n")
    values = graph.read_settings(root)
    assert values["INSTALLED_APPS"] == ["django.contrib.contenttypes", "shop"]
    assert values["MIGRATION_MODULES"] == {"shop": None}
    found = config.connections(root)
    assert found[0].url == f"sqlite:///{root.resolve()}/db.sqlite3" and "read statically" in found[0].source


@pytest.mark.parametrize(
    "change",
    ["INSTALLED_APPS += ['blog']", "if True:\n    INSTALLED_APPS = []", "from .apps import INSTALLED_APPS"],
)
def test_what_only_running_can_tell_is_never_guessed_by_the_graph(tmp_path, change):
    root = project(tmp_path, f"from .base import *\n{change}\n")
    with pytest.raises(graph.NeedsDjango):
        graph.read_settings(root)


def test_databases_changed_in_place_is_not_taken_statically(tmp_path):
    """Env discovery used to return the base value and ignore the change: now it imports and says so."""
    root = project(tmp_path, "from .base import *\nDATABASES['default']['NAME'] = str(BASE_DIR / 'dev.sqlite3')\n")
    found = config.connections(root)
    assert found[0].url == f"sqlite:///{root.resolve()}/dev.sqlite3"
    assert "had to import mysite.settings.dev" in (found[0].note or "")


def test_settings_module_without_manage_py_setting(tmp_path):
    """Both readers: manage.py's DJANGO_SETTINGS_MODULE, else ``<package>/settings.py``."""
    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "settings.py").write_text("INSTALLED_APPS = ['shop']\n")
    (tmp_path / "manage.py").write_text("import django\n")
    assert settings_module(tmp_path) == "mysite.settings"
    assert graph.read_settings(tmp_path)["INSTALLED_APPS"] == ["shop"]
