"""``%dbm`` / ``%%dbm``: parse the line with the parser generated from ``api``, call it, display
the result. Errors become ``UsageError`` so the cell fails without a traceback."""

from __future__ import annotations

import shlex
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import Unicode

from . import progress
from .active_env import set_default_env
from .arguments import VERBS, ArgumentError, HelpRequested, cell_parameter, full_help, params, parse, usage_line
from .cell_files import running_cell
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
        self._from_namespace(call)
        listener = _ProgressListener()
        try:
            with running_cell(_cell_key(self.shell) if cell is not None else None), progress.listen(listener):
                result = call.call()
        except DbmError as e:
            listener.show_failed_run(e)
            raise UsageError(e.message + _password_in_cell(line)) from None
        finally:
            listener.close()
        if _password_in_cell(line):
            print(_password_in_cell(line).strip())
        if _refused_run(call.kwargs, result):
            # asked to run (--yes / --confirm) and nothing ran: the cell fails, as the CLI exits 1, so an
            # unattended runbook (nbconvert --execute, nbval) stops here instead of going on as if it ran
            from IPython.display import display

            display(result)
            raise UsageError(f"{verb}: {mask(result.message)}{_password_in_cell(line)}")
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

    def _from_namespace(self, call) -> None:
        """Options naming a notebook variable (``seed --from VAR``) receive the variable's value."""
        assert self.shell is not None
        for p in params(VERBS[call.verb]):
            name = call.kwargs.get(p.name) if p.arg.from_namespace else None
            if name is None:
                continue
            if not name.isidentifier() or name not in self.shell.user_ns:
                raise UsageError(f"--{p.name.strip('_')} {name}: there is no notebook variable named {name!r}.")
            call.kwargs[p.name] = self.shell.user_ns[name]

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


def _refused_run(kwargs: dict[str, Any], result: Any) -> bool:
    """A run the flags asked for (``--yes``, ``--confirm NAME``) that was refused: nothing ran."""
    return bool(kwargs.get("yes") or kwargs.get("confirm")) and getattr(result, "status", None) == "refused"


def _cell_key(shell) -> str | None:
    """The front end's id of the running cell (JupyterLab, Notebook 7 and nbclient send ``cellId``)."""
    parent = getattr(shell, "parent_header", None) or {}
    meta = parent.get("metadata") or {}
    key = meta.get("cellId")
    return str(key) if key else None


class _ProgressListener:
    """Progress of a run the magic's flags confirmed (``--yes``): in a kernel one output rewritten in
    place and cleared at the end (the result follows as the cell's output), in a terminal stderr lines."""

    def __init__(self) -> None:
        self.output: Any = None

    def __call__(self, event: progress.Event) -> None:
        from .display.confirm import ProgressOutput, widgets_available

        if not widgets_available():
            import sys

            print(event.line(), file=sys.stderr, flush=True)
            return
        if self.output is None:
            from IPython.display import display

            handle = display({"text/plain": ""}, raw=True, display_id=True)
            self.output = ProgressOutput(handle, "running…")
        self.output(event)

    def show_failed_run(self, error: DbmError) -> None:
        """In a kernel, a run that failed part-way stays on the record as an ordinary output: its result
        (where, when, by whom, the backup taken, each step's state) replaces the progress, and the
        error that follows says what stays and what to do."""
        from .display.confirm import widgets_available
        from .errors import MigrationFailed

        result = error.result if isinstance(error, MigrationFailed) else None
        if result is None or not widgets_available():
            return
        if self.output is None:
            from IPython.display import display

            display(result)
            return
        self.output.handle.update(result)
        self.output = None  # kept: close() clears only a progress output

    def close(self) -> None:
        if self.output is not None:
            self.output.handle.update({"text/plain": ""}, raw=True)
