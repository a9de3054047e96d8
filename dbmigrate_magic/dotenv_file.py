"""Reading one ``.env*`` file the way the tools that share it do (Node's dotenv, Docker Compose).

python-dotenv's parser reads the lines; interpolation is done here because python-dotenv also
expands ``${VAR}`` inside single quotes, where Node's dotenv and Docker Compose (which read the
same file for Prisma, Knex and Drizzle) keep the value literal. A file that cannot be read is
reported, not raised, so one broken environment never takes the others down. A line python-dotenv
cannot parse (it skips such lines silently) is reported as a note naming file, line and variable.
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
    #: lines python-dotenv skipped or reads unlike Node's dotenv: (variable or None, note); never the value
    skipped: tuple[tuple[str | None, str], ...] = ()


#: a line whose value is single-quoted (``KEY='...'``, ``export KEY = '...'``)
_SINGLE_QUOTED = re.compile(r"""\s*(?:export\s+)?(?:'[^']*'|"[^"]*"|[^=#\s]+)\s*=\s*'""")
#: the variable a line assigns, as far as it can be told from a line that does not parse
_KEY = re.compile(r"""\s*(?:export\s+)?['"]?([A-Za-z_][A-Za-z0-9_.-]*)""")
#: the fix for both kinds of line, shown without the value
_QUOTE_FIX = 'write the value in double quotes, with \\\\ for a backslash and \\" for a double quote'


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
    skipped: list[tuple[str | None, str]] = []
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            skipped.append(_skipped_note(path.name, binding.original.string, binding.original.line))
            continue
        if binding.key is None:
            continue
        if _SINGLE_QUOTED.match(binding.original.string) and re.search(r"\\['\\]", binding.original.string):
            skipped.append(
                (
                    binding.key,
                    f"{path.name} line {binding.original.line} ({binding.key}=***): a backslash before ' or \\ "
                    "inside single quotes is an escape to python-dotenv but kept as written by Node's dotenv "
                    f"and Docker Compose, so the tools would read different values; {_QUOTE_FIX}.",
                )
            )
        value = binding.value
        if value is not None and not _SINGLE_QUOTED.match(binding.original.string):
            env = {**os.environ, **values}
            value = "".join(atom.resolve(env) for atom in parse_variables(value))
        values[binding.key] = value
        lines[binding.key] = binding.original.line
    return DotenvFile(values, lines, skipped=tuple(skipped))


def _skipped_note(name: str, original: str, line: int) -> tuple[str | None, str]:
    """A note for a line python-dotenv could not parse and skipped: where, which variable, how to fix."""
    key = _KEY.match(original)
    variable = key.group(1) if key else None
    last = line + original.rstrip("\n").count("\n")
    where = f"line {line}" if last == line else f"lines {line}-{last}"
    shown = f" ({variable}=***)" if variable else ""
    return variable, (
        f"{name} {where}{shown} cannot be read (an unclosed quote or text after the closing quote) and is "
        f"skipped by python-dotenv, so it sets nothing; {_QUOTE_FIX}."
    )
