"""The Python a Django project runs with, when Django is not importable where dbm runs.

Teams keep Django in the project's own environment: ``$VIRTUAL_ENV``, ``.venv`` (uv, Poetry with
``in-project``, pipenv with ``PIPENV_VENV_IN_PROJECT``), ``venv``/``env``, ``UV_PROJECT_ENVIRONMENT``,
or the central folders Poetry (``~/.cache/pypoetry/virtualenvs/<name>-<hash>-py<ver>``) and pipenv
(``~/.local/share/virtualenvs/<folder>-<hash>``) use. Found without running anything: an environment
counts when its site-packages (or a ``.pth`` path it lists) holds ``django/``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path


def dbm_has_django() -> bool:
    try:
        return importlib.util.find_spec("django") is not None
    except (ImportError, ValueError):
        return False


def _poetry_name(root: Path) -> str | None:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    m = re.search(
        r"^\[tool\.poetry\][^\[]*?^name\s*=\s*['\"]([^'\"]+)", pyproject.read_text(errors="replace"), re.M | re.S
    )
    return re.sub(r"[^a-z0-9]+", "-", m.group(1).lower()) if m else None


def candidate_envs(root: Path) -> list[tuple[Path, str]]:
    """(environment folder, how it was found), most specific first."""
    found: list[tuple[Path, str]] = []
    for var in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"):
        value = os.environ.get(var)
        if value:
            path = Path(value) if Path(value).is_absolute() else root / value
            found.append((path, f"${var}"))
    for name in (".venv", "venv", "env", ".virtualenv"):
        found.append((root / name, name))
    home = Path.home()
    poetry = _poetry_name(root)
    if poetry:
        found.extend((p, "Poetry") for p in sorted((home / ".cache" / "pypoetry" / "virtualenvs").glob(f"{poetry}-*")))
    found.extend((p, "pipenv") for p in sorted((home / ".local" / "share" / "virtualenvs").glob(f"{root.name}-*")))
    return [(p, how) for p, how in found if (p / "pyvenv.cfg").is_file()]


def env_python(env: Path) -> Path | None:
    for rel in ("bin/python", "bin/python3", "Scripts/python.exe"):
        if (env / rel).exists():
            return env / rel
    return None


def site_dirs(env: Path) -> list[Path]:
    """The environment's site-packages and the folders its ``.pth`` files add."""
    dirs = [*env.glob("lib/python3*/site-packages"), *env.glob("Lib/site-packages")]
    out = list(dirs)
    for site in dirs:
        for pth in site.glob("*.pth"):
            for line in pth.read_text(errors="replace").splitlines():
                line = line.strip()
                if line and not line.startswith(("#", "import ")) and Path(line).is_dir():
                    out.append(Path(line))
    return out


def project_env(root: Path) -> tuple[str, str] | None:
    """The first of the project's environments that holds Django: (its python, where it was found)."""
    for env, how in candidate_envs(root):
        python = env_python(env)
        if python and any((d / "django" / "__init__.py").is_file() for d in site_dirs(env)):
            return str(python), f"the project's interpreter ({how}: {python})"
    return None


def package_dirs(root: Path) -> list[Path]:
    """Where the project's environments keep installed packages (for reading apps statically)."""
    return [d for env, _ in candidate_envs(root) for d in site_dirs(env)]


def python_for(root: Path) -> tuple[str, str | None] | None:
    """The interpreter to run manage.py with, and why it is not dbm's own (None: dbm's own)."""
    if dbm_has_django():
        return sys.executable, None
    return project_env(root.resolve())
