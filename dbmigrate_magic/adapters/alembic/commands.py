"""``alembic upgrade`` / ``downgrade`` over revision files loaded once per process.

``dbm migrate`` renders the plan with Alembic's offline mode (the preview), then applies it online.
Alembic's own command functions build a new ``ScriptDirectory`` for each call, so every call imports
every revision file again: at 1,000 revisions that is about half a second paid twice. These are
the same two commands (same ``EnvironmentContext``, same ``env.py`` run, same revision steps), over a
``ScriptDirectory`` kept for as long as the revision files are unchanged: names, sizes and
modification times of every file in the version locations are checked on each call (a few
milliseconds), so an edit between the preview and a later confirmation loads the files again.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

#: (script folder, version folders, recursive, sourceless) -> (files' fingerprint, loaded ScriptDirectory)
_LOADED: dict[tuple, tuple[tuple, Any]] = {}


def files_fingerprint(folders: list[str], recursive: bool) -> tuple:
    """(path, size, mtime) of every file under the version folders: what Alembic would load."""
    found: list[tuple[str, int, int]] = []
    for folder in folders:
        if recursive:
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames[:] = [d for d in dirnames if d != "__pycache__"]
                found.extend(_stat(os.path.join(dirpath, n)) for n in filenames)
        else:
            try:
                with os.scandir(folder) as entries:
                    found.extend(_stat(e.path) for e in entries if e.is_file())
            except OSError:
                continue
    return tuple(sorted(found))


def _stat(path: str) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (path, -1, -1)
    return (path, st.st_size, st.st_mtime_ns)


def script_directory(config: Config) -> ScriptDirectory:
    """``ScriptDirectory.from_config`` with its revision map kept while the files are unchanged.
    Run in the project root (relative ``script_location`` and ``version_locations``)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)  # cheap: reads options, loads nothing yet
    folders = [os.path.abspath(v) for v in (script.version_locations or [os.path.join(script.dir, "versions")])]
    key = (os.path.abspath(script.dir), tuple(folders), script.recursive_version_locations, script.sourceless)
    files = files_fingerprint(folders, script.recursive_version_locations)
    kept = _LOADED.get(key)
    if kept is not None and kept[0] == files:
        return kept[1]
    _LOADED[key] = (files, script)
    return script


def upgrade(config: Config, revision: str, sql: bool = False) -> None:
    """``alembic upgrade REVISION`` (``--sql`` with ``sql``; a ``from:to`` range only then)."""
    _run(config, revision, sql, "upgrade")


def downgrade(config: Config, revision: str, sql: bool = False) -> None:
    """``alembic downgrade REVISION`` (``--sql`` with ``sql`` and a ``from:to`` range)."""
    _run(config, revision, sql, "downgrade")


def _run(config: Config, revision: str, sql: bool, direction: str) -> None:
    from alembic.runtime.environment import EnvironmentContext
    from alembic.util import CommandError

    script = script_directory(config)
    starting_rev = None
    if ":" in revision:
        if not sql:
            raise CommandError("Range revision not allowed")
        starting_rev, revision = revision.split(":", 2)
    elif sql and direction == "downgrade":
        raise CommandError("downgrade with --sql requires <fromrev>:<torev>")

    def steps(rev, context):
        if direction == "upgrade":
            return script._upgrade_revs(revision, rev)
        return script._downgrade_revs(revision, rev)

    with EnvironmentContext(config, script, fn=steps, as_sql=sql, starting_rev=starting_rev, destination_rev=revision):
        script.run_env()
