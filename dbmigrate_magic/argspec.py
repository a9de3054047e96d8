"""``Arg``: how one ``api`` parameter appears on the command line and in ``%dbm``.

``api`` attaches it with ``typing.Annotated``; ``arguments.py`` reads it to generate the
parsers. It is plain data with no imports, so ``import dbmigrate_magic.api`` stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Arg:
    """The front-end side of a parameter; its type and default come from the signature.

    A keyword-only parameter becomes ``--name-with-dashes``; a positional one a positional
    argument; ``flag`` gives a parameter another spelling (or makes a positional one a flag).
    """

    help: str = ""
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    #: the option's spelling, e.g. ``--allow-modified-applied`` for ``allow_modified``
    flag: str | None = None
    #: with ``flag``: also accepted as a positional (``dbm status PATH`` or ``--project PATH``)
    also_positional: bool = False
    #: parameters sharing a group name are mutually exclusive on the command line
    group: str | None = None
    #: one flag per value instead of an option taking a value: ``(flag, value, help)``
    #: (``--applied`` / ``--rolled-back`` for ``state``); required when the parameter has no default
    consts: tuple[tuple[str, Any, str], ...] = ()
    #: receives the body of a ``%%dbm VERB`` cell; not on the command line
    cell: bool = False
    #: the option may be given without a value, meaning this (``--fleet`` alone: ``fleet.toml``)
    const: Any = None
    #: a Python caller's option the front ends do not offer
    python_only: bool = False
    #: in ``%dbm``, the value names a variable of the notebook, whose value the verb receives
    from_namespace: bool = False
    #: set by the front end, not the user: ``{"cli": value, "magic": value}``
    front_end: dict[str, Any] | None = None
