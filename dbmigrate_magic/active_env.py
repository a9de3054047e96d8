"""Which environment is active: per process (notebooks, Python) and per project (the CLI).

``dbm env NAME`` must stick between shell commands, so the choice is also written to
``<project>/.dbm/state.json``; the ``.dbm`` folder ignores itself in git.
"""

from __future__ import annotations

import os
from pathlib import Path

_active: dict[Path, str] = {}
default_env: str | None = None  # set by ``%config Dbm.default_env``


def set_default_env(name: str | None) -> None:
    """The environment verbs use when none is given or selected (``%config Dbm.default_env``)."""
    global default_env
    default_env = name


def state_dir(root: Path) -> Path:
    folder = root / ".dbm"
    if not folder.exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".gitignore").write_text("*\n", encoding="utf-8")
    return folder


def set_active(root: Path, name: str, persist: bool = True) -> None:
    _active[root.resolve()] = name
    if persist:
        import json

        path = state_dir(root) / "state.json"
        path.write_text(json.dumps({"active_env": name}), encoding="utf-8")


def get_active(root: Path) -> tuple[str | None, str | None]:
    """The active environment's name and why it is active."""
    root = root.resolve()
    if root in _active:
        return _active[root], "selected with `env NAME`"
    if default_env:
        return default_env, "%config Dbm.default_env"
    state = root / ".dbm" / "state.json"
    if state.is_file():
        import json  # here: only a project that chose an environment has the file

        try:
            name = json.loads(state.read_text(encoding="utf-8")).get("active_env")
        except ValueError:
            name = None
        if name:
            return name, "selected with `dbm env NAME`"
    if os.environ.get("DBM_ENV"):
        return os.environ["DBM_ENV"], "DBM_ENV"
    return None, None
