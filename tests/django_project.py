"""Build real Django projects for tests and benchmarks (``django-admin startproject``, RunSQL migrations)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SETTINGS_DB = """
import os as _os
from urllib.parse import urlsplit as _urlsplit, unquote as _unquote

import pymysql

pymysql.install_as_MySQLdb()
_u = _urlsplit(_os.environ.get("DATABASE_URL", "sqlite:///" + str(BASE_DIR / "db.sqlite3")))
_scheme = _u.scheme.split("+")[0]
if _scheme == "sqlite":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": _u.path[1:]}}
else:
    DATABASES = {"default": {
        "ENGINE": "django.db.backends." + {"postgresql": "postgresql", "mysql": "mysql"}[_scheme],
        "NAME": _u.path.lstrip("/"), "USER": _unquote(_u.username or ""),
        "PASSWORD": _unquote(_u.password or ""), "HOST": _u.hostname or "", "PORT": str(_u.port or ""),
    }}
"""

MIGRATION = """from django.db import migrations{settings_import}


class Migration(migrations.Migration):
{extra}
    dependencies = [{deps}]

    operations = [
        migrations.RunSQL({up!r}, {down!r}),
    ]
"""


def startproject(root: Path, url: str, apps: list[str], url_settings: bool = True) -> Path:
    """``django-admin startproject mysite`` with ``apps`` installed and DATABASES read from
    DATABASE_URL (``url_settings``), or left as startproject writes it (SQLite db.sqlite3)."""
    root.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [sys.executable, "-m", "django", "startproject", "mysite", str(root)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    settings = root / "mysite" / "settings.py"
    text = settings.read_text()
    if url_settings:
        text = re.sub(r"DATABASES = \{.*?\n\}\n", "", text, flags=re.S)
    text = re.sub(
        r"""    ['"]django.contrib.staticfiles['"],\n""",
        lambda m: m.group(0) + "".join(f'    "{a}",\n' for a in apps),
        text,
    )
    settings.write_text(text + (SETTINGS_DB if url_settings else ""))
    for app in apps:
        add_app(root, app)
    (root / ".env").write_text(f"DATABASE_URL={url}\n")
    return root


def add_app(root: Path, app: str) -> None:
    folder = root / app
    (folder / "migrations").mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").write_text("")
    (folder / "migrations" / "__init__.py").write_text("")
    cls = app.capitalize() + "Config"
    (folder / "apps.py").write_text(
        f"from django.apps import AppConfig\n\n\nclass {cls}(AppConfig):\n    name = {app!r}\n"
    )
    (folder / "models.py").write_text("")


def migration(
    root: Path,
    app: str,
    name: str,
    deps: list[tuple[str, str]],
    up: str,
    down: str,
    replaces: list[tuple[str, str]] | None = None,
    swappable_user: bool = False,
) -> Path:
    dep_text = ", ".join(repr(d) for d in deps)
    if swappable_user:
        dep_text = (dep_text + ", " if dep_text else "") + "migrations.swappable_dependency(settings.AUTH_USER_MODEL)"
    extra = f"    replaces = {replaces!r}\n" if replaces else ""
    path = root / app / "migrations" / f"{name}.py"
    path.write_text(
        MIGRATION.format(
            settings_import="\nfrom django.conf import settings" if swappable_user else "",
            extra=extra,
            deps=dep_text,
            up=up,
            down=down,
        )
    )
    return path


def manage(root: Path, url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The project's real ``manage.py``, with DATABASE_URL pointing at ``url``."""
    env = dict(os.environ, DATABASE_URL=url)
    out = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    if check:
        assert out.returncode == 0, out.stderr + out.stdout
    return out


def showmigrations_plan(root: Path, url: str) -> list[tuple[bool, str]]:
    """``manage.py showmigrations --plan`` as (applied, app.name) in Django's order."""
    rows = []
    for line in manage(root, url, "showmigrations", "--plan").stdout.splitlines():
        m = re.match(r"^\[([X ])\]\s+(\S+)", line)
        if m:
            rows.append((m.group(1) == "X", m.group(2)))
    return rows
