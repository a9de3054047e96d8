"""Reading one ``.env*`` file the way the tools that share it do (Node's dotenv, Docker Compose).

python-dotenv's parser reads the lines; interpolation is done here because python-dotenv also
expands ``${VAR}`` inside single quotes, where Node's dotenv and Docker Compose (which read the
same file for Prisma, Knex and Drizzle) keep the value literal. A file that cannot be read is
reported, not raised, so one broken environment never takes the others down.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DotenvFile:
    """One ``.env*`` file as read: its variables, the line each is on, and why it could not be read."""

    values: dict[str, str | None]
    lines: dict[str, int]
    problem: str | None = None


#: a line whose value is single-quoted (``KEY='...'``, ``export KEY = '...'``)
_SINGLE_QUOTED = re.compile(r"""\s*(?:export\s+)?(?:'[^']*'|"[^"]*"|[^=#\s]+)\s*=\s*'""")


def read_dotenv_file(path: Path) -> DotenvFile:
    """Read a ``.env`` file with python-dotenv's parser, as Node's dotenv and Docker Compose do:
    ``${VAR}`` is expanded in unquoted and double-quoted values, never in single-quoted ones."""
    from dotenv.parser import parse_stream
    from dotenv.variables import parse_variables

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return DotenvFile({}, {}, f"{path.name} line {line} is not UTF-8 text; save the file as UTF-8.")
    except OSError as exc:
        return DotenvFile({}, {}, f"{path.name} cannot be read ({exc.strerror}).")
    values: dict[str, str | None] = {}
    lines: dict[str, int] = {}
    for binding in parse_stream(io.StringIO(text)):
        if binding.error or binding.key is None:
            continue
        value = binding.value
        if value is not None and not _SINGLE_QUOTED.match(binding.original.string):
            env = {**os.environ, **values}
            value = "".join(atom.resolve(env) for atom in parse_variables(value))
        values[binding.key] = value
        lines[binding.key] = binding.original.line
    return DotenvFile(values, lines)
