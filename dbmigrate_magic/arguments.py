"""The ``dbm`` and ``%dbm`` parsers, generated from the verbs' signatures in ``api``.

As Alembic builds its command line from ``command.py``: a positional parameter becomes a
positional argument, a keyword-only one an ``--option`` (``bool``: a switch, a sequence: repeatable,
``int``: a number), spelling and help come from the ``Arg`` in its annotation, and the verb's
summary is its docstring's first line. Parsing gives the keyword arguments of the ``api`` call
(only those given, so a default is always the signature's) and the front end's render options.

Render options (``--format``, ``--df``, ``--exit-code``, ``--sql``) are declared once, here, and
offered by what the verb's result class can do.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .api import VERBS as _VERB_FUNCTIONS
from .argspec import Arg
from .results import Result

VERBS: dict[str, Callable[..., Any]] = {f.__name__: f for f in _VERB_FUNCTIONS}
USAGE = "dbm VERB [options]   (verbs: {verbs}; `dbm VERB --help` for each)"
_POSITIONAL = "positional:"  # dest prefix of a parameter's positional spelling when it also has a flag
_RENDER = "render:"  # dest prefix of render options


class ArgumentError(Exception):
    """Bad arguments; ``usage`` is the usage line to show."""

    def __init__(self, message: str, usage: str):
        super().__init__(message)
        self.usage = usage


class HelpRequested(Exception):
    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of printing and exiting."""

    def error(self, message: str):
        raise ArgumentError(message, self.format_usage().strip())

    def exit(self, status: int = 0, message: str | None = None):
        raise HelpRequested(message or "")

    def print_help(self, file=None):
        raise HelpRequested(self.format_help())


# --- reading a verb's signature -----------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    """One parameter of an ``api`` verb, as the front ends see it."""

    name: str
    arg: Arg
    default: Any  # inspect.Parameter.empty: required
    kind: str  # "switch", "list", "int" or "str"
    positional: bool  # positional-or-keyword in the signature

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty

    @property
    def on_command_line(self) -> bool:
        return not (self.arg.cell or self.arg.python_only or self.arg.front_end is not None)

    @property
    def flag(self) -> str | None:
        """The option spelling, or None for a parameter given only positionally."""
        if self.arg.consts or (self.positional and self.arg.flag is None):
            return None
        return self.arg.flag or "--" + self.name.replace("_", "-")

    @property
    def takes_positional(self) -> bool:
        return self.positional and not self.arg.consts and (self.arg.flag is None or self.arg.also_positional)


class _ApiNames(dict):
    """Names for evaluating annotations: the api module's attributes, result classes included
    (imported on first use through its ``__getattr__``), then the builtins."""

    def __init__(self, module: Any):
        super().__init__()
        self.module = module

    def __missing__(self, name: str) -> Any:
        try:
            return getattr(self.module, name)
        except AttributeError:
            raise KeyError(name) from None


def _evaluate(fn: Callable[..., Any], annotation: Any) -> Any:
    if not isinstance(annotation, str):
        return annotation
    return eval(annotation, fn.__globals__, _ApiNames(sys.modules["dbmigrate_magic.api"]))  # noqa: S307 - our own source


def _kind(base: Any) -> str:
    union = typing.get_origin(base) in (typing.Union, types.UnionType)
    members = [m for m in (typing.get_args(base) if union else (base,)) if m is not type(None)]
    if bool in members:
        return "switch"
    if str in members:
        return "str"
    if int in members:
        return "int"
    if any(typing.get_origin(m) in (Sequence, list, tuple) for m in members):
        return "list"
    return "str"


def params(fn: Callable[..., Any]) -> list[Param]:
    """The verb's parameters with their ``Arg``, in signature order."""
    annotations = inspect.get_annotations(fn)
    out = []
    for p in inspect.signature(fn).parameters.values():
        hint = _evaluate(fn, annotations.get(p.name, "str"))
        meta = next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Arg)), Arg())
        base = hint.__origin__ if hasattr(hint, "__metadata__") else hint
        out.append(Param(p.name, meta, p.default, _kind(base), p.kind is p.POSITIONAL_OR_KEYWORD))
    return out


def result_types(fn: Callable[..., Any]) -> tuple[type[Result], ...]:
    """The result classes the verb returns (its return annotation)."""
    hint = _evaluate(fn, inspect.get_annotations(fn).get("return"))
    return tuple(typing.get_args(hint)) or (hint,)


def summary(fn: Callable[..., Any]) -> str:
    """The verb's one-line summary: its docstring's first line, as the CLI lists it."""
    line = (fn.__doc__ or "").strip().splitlines()[0]
    return line[0].lower() + line[1:].rstrip(".")


def cell_parameter(verb: str) -> str | None:
    """The parameter that receives a ``%%dbm VERB`` cell body (None: the verb takes no cell)."""
    return next((p.name for p in params(VERBS[verb]) if p.arg.cell), None)


# --- render options: declared once, offered by what the result can do ---------------------------
@dataclass(frozen=True)
class RenderOption:
    name: str
    offered: Callable[[tuple[type[Result], ...]], bool]
    declare: Callable[[tuple[type[Result], ...]], dict[str, Any]]
    default: Any = None


def _attention(results: tuple[type[Result], ...]) -> str:
    return next((r.attention for r in results if r.attention), "the result needs attention")


RENDER_OPTIONS = (
    RenderOption(
        "format",
        lambda results: True,
        lambda results: dict(
            choices=("text", "json", *dict.fromkeys(f for r in results for f in getattr(r, "extra_formats", ()))),
            help="output format (CLI)",
        ),
        "text",
    ),
    RenderOption(
        "df",
        lambda results: any(r.frame_option for r in results),
        lambda results: dict(metavar="VAR", help="in a notebook, also store the table as a DataFrame in VAR"),
    ),
    RenderOption(
        "exit_code",
        lambda results: any(r.attention is not None for r in results),
        lambda results: dict(action="store_true", help=f"exit 1 when {_attention(results)} (for CI)"),
        False,
    ),
    RenderOption(
        "sql",
        lambda results: any(r.sql_view for r in results),
        lambda results: dict(action="store_true", help="print only the SQL on stdout (messages go to stderr)"),
        False,
    ),
)


# --- building the parsers -----------------------------------------------------------------------
def _escape(text: str) -> str:
    return text.replace("%", "%%")  # argparse %-formats help strings


def declare(parser: argparse.ArgumentParser, fn: Callable[..., Any]) -> None:
    """Add the verb's parameters, then the render options its result offers."""
    groups: dict[str, Any] = {}
    for p in params(fn):
        if not p.on_command_line:
            continue
        a = p.arg
        if a.consts:
            consts = parser.add_mutually_exclusive_group(required=p.required)
            for flag, value, text in a.consts:
                consts.add_argument(
                    flag, dest=p.name, action="store_const", const=value, help=_escape(text), default=argparse.SUPPRESS
                )
            continue
        common: dict[str, Any] = dict(help=_escape(a.help), default=argparse.SUPPRESS)
        if p.takes_positional:
            nargs = "*" if p.kind == "list" else (None if p.required and p.flag is None else "?")
            dest = p.name if p.flag is None else _POSITIONAL + p.name
            parser.add_argument(dest, nargs=nargs, metavar=a.metavar or p.name, choices=a.choices, **common)
        if p.flag is None:
            continue
        target: Any = parser
        if a.group:
            target = groups.get(a.group) or groups.setdefault(a.group, parser.add_mutually_exclusive_group())
        if p.kind == "switch":
            target.add_argument(p.flag, dest=p.name, action="store_true", **common)
        else:
            action = "append" if p.kind == "list" else "store"
            optional = dict(nargs="?", const=a.const) if a.const is not None else {}
            target.add_argument(
                p.flag,
                dest=p.name,
                action=action,
                **optional,
                type=int if p.kind == "int" else None,
                metavar=a.metavar,
                choices=a.choices,
                **common,
            )
    results = result_types(fn)
    for option in RENDER_OPTIONS:
        if option.offered(results):
            flag = "--" + option.name.replace("_", "-")
            parser.add_argument(flag, dest=_RENDER + option.name, default=option.default, **option.declare(results))


def usage_line(prog: str = "dbm") -> str:
    return USAGE.replace("dbm", prog, 1).format(verbs=", ".join(VERBS))


def build_parser(prog: str = "dbm", only: str | None = None) -> argparse.ArgumentParser:
    """Every verb listed with its summary; arguments declared for ``only`` (declaring all 16 verbs
    costs more than parsing, and imports every result class), or for all with ``only="*"``.

    With one verb named, only its sub-parser is made: the others serve only the verb list of
    ``dbm --help`` (which names no verb), and each costs argparse's message-catalogue look-ups."""
    parser = _Parser(
        prog=prog, description="Database migrations from notebooks and the shell.", usage=_escape(usage_line(prog))
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    subs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for name, fn in VERBS.items():
        if only not in (None, "*", name):
            continue
        sub = subs.add_parser(
            name,
            help=_escape(summary(fn)),
            description=inspect.cleandoc(fn.__doc__ or ""),
            prog=f"{prog} {name}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if only in (name, "*"):
            declare(sub, fn)
    return parser


def full_help(prog: str = "%dbm") -> str:
    """The help of every verb, generated (``%dbm?``)."""
    parser = build_parser(prog, only="*")
    verbs = (_verb_parser(parser, name).format_help() for name in VERBS)
    return "\n\n".join([parser.format_help(), *verbs])


def _verb_parser(parser: argparse.ArgumentParser, verb: str) -> argparse.ArgumentParser:
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return subs.choices[verb]


# --- parsing ------------------------------------------------------------------------------------
@dataclass
class Invocation:
    """A parsed command line: the ``api`` call and how to show its result."""

    verb: str | None
    kwargs: dict[str, Any] = field(default_factory=dict)
    render: dict[str, Any] = field(default_factory=dict)
    version: bool = False

    def call(self) -> Any:
        if self.verb is None:  # `--version` alone parses to no verb: the front ends answer it themselves
            raise ValueError("no verb to call")
        return VERBS[self.verb](**self.kwargs)


def _merge_positionals(
    verb: str, values: dict[str, Any], kwargs: dict[str, Any], parser: argparse.ArgumentParser
) -> None:
    """A parameter spelt both ways (``diff SOURCE TARGET`` / ``--from --to``): flags fill their own
    parameter, positionals the others in order; a value too many is refused, not ignored."""
    both = [p for p in params(VERBS[verb]) if p.on_command_line and p.takes_positional and p.flag is not None]
    from_flags = [kwargs[p.name] for p in both if p.name in kwargs]
    positional = [values.pop(_POSITIONAL + p.name) for p in both if _POSITIONAL + p.name in values]
    spare = list(positional)
    for p in both:
        if p.name not in kwargs and spare:
            kwargs[p.name] = spare.pop(0)
    if spare:
        given = from_flags + positional
        names = " and ".join(p.arg.metavar or p.name for p in both)
        raise ArgumentError(
            f"{verb} takes {len(both)} value(s) ({names}), but {len(given)} were given ({', '.join(map(str, given))}).",
            parser.format_usage().strip(),
        )


def parse(argv: Sequence[str], prog: str = "dbm", front_end: str = "cli") -> Invocation:
    """Parse a command line; unknown verbs and bad flags raise ``ArgumentError``."""
    argv = list(argv)
    verb = argv[0] if argv and argv[0] in VERBS else None
    if argv and not argv[0].startswith("-") and verb is None:
        raise ArgumentError(f"unknown verb '{argv[0]}'", usage_line(prog))
    parser = build_parser(prog, only=verb)
    values = vars(parser.parse_args(argv))
    if values.get("verb") is None:
        if values.get("version"):
            return Invocation(None, version=True)
        raise ArgumentError("a verb is required", usage_line(prog))
    assert verb is not None
    kwargs = {k: v for k, v in values.items() if k not in ("verb", "version") and ":" not in k}
    _merge_positionals(verb, values, kwargs, _verb_parser(parser, verb))
    for p in params(VERBS[verb]):
        if p.arg.front_end is not None:
            kwargs[p.name] = p.arg.front_end[front_end]
    render = {option.name: option.default for option in RENDER_OPTIONS}
    render.update({k[len(_RENDER) :]: v for k, v in values.items() if k.startswith(_RENDER)})
    return Invocation(verb, kwargs, render, bool(values.get("version")))
