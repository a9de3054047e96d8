"""``%dbm`` / ``%%dbm``: parse the line with the parser generated from ``api``, call it, display
the result. Errors become ``UsageError`` so the cell fails without a traceback."""

from __future__ import annotations

import shlex

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import Unicode

from .active_env import set_default_env
from .arguments import ArgumentError, HelpRequested, cell_parameter, full_help, parse, usage_line
from .errors import DbmError
from .masking import mask


@magics_class
class Dbm(Magics):
    """Run database migrations from a notebook: ``%dbm detect``, ``%dbm status``, ``%%dbm migrate``."""

    default_env = Unicode(
        "", help="Environment used when a verb gets no --env and none was selected with `%dbm env NAME`."
    ).tag(config=True)

    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self.observe(self._on_default_env, names="default_env")
        set_default_env(self.default_env or None)

    def _on_default_env(self, change) -> None:
        set_default_env(change["new"] or None)

    @line_cell_magic
    def dbm(self, line: str, cell: str | None = None):
        """Usage: %dbm VERB [options]. Run `%dbm --help` for the verbs, `%dbm VERB --help` for one."""
        try:
            argv = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"{exc}\n{usage_line('%dbm')}") from None
        try:
            call = parse(argv, prog="%dbm", front_end="magic")
        except HelpRequested as h:
            print(h.text.rstrip())
            return None
        except ArgumentError as e:
            raise UsageError(f"{mask(e)}\n{e.usage}") from None
        if call.version:
            from ._version import __version__

            print(__version__)
            return None
        verb = call.verb
        assert verb is not None  # parse returns a verb unless --version was asked
        if cell is not None:
            target = cell_parameter(verb)
            if target is None:
                raise UsageError(f"%%dbm {verb} takes no cell body; use the line form %dbm {verb}.")
            call.kwargs[target] = cell
        try:
            result = call.call()
        except DbmError as e:
            raise UsageError(e.message + _password_in_cell(line)) from None
        if _password_in_cell(line):
            print(_password_in_cell(line).strip())
        df_var = call.render["df"]
        if df_var:
            if not df_var.isidentifier():
                raise UsageError(f"--df needs a Python variable name, not {df_var!r}.")
            assert self.shell is not None  # IPython gives a registered magic its shell
            self.shell.user_ns[df_var] = result.to_frame()
        if call.render["sql"]:
            print("\n".join(result.sql_messages()))  # the CLI's stderr lines, as a short text above the SQL
            result = result.as_sql_view()  # still the result object (.sql, .changes, .to_frame()), shown as SQL
        return result.display_in_notebook()

    # `%dbm?` shows every verb's every option, generated when asked (IPython calls ``getdoc``)
    dbm.getdoc = lambda: full_help("%dbm")  # type: ignore[union-attr]  # IPython types its magic decorators loosely


def load(ipython) -> None:
    ipython.register_magics(Dbm)


def unload(ipython) -> None:
    manager = ipython.magics_manager
    for kind in ("line", "cell"):
        manager.magics[kind].pop("dbm", None)
    manager.registry.pop("Dbm", None)


#: said once per cell, with the result or the error, when the magic's own line holds a secret
CELL_PASSWORD_WARNING = (
    "\nNote: this cell's source holds a database password, and the saved notebook keeps it. "
    "Safer: put the URL in .env (or .env.<name>) and pass the environment's name, e.g. `%dbm status --env staging`."
)


def _password_in_cell(line: str) -> str:
    """The warning if the magic's arguments hold a password (the mask would change them), else ''."""
    return CELL_PASSWORD_WARNING if mask(line) != line else ""
