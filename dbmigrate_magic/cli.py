"""The ``dbm`` command line: parse, call ``api``, print. Exit codes: 0 success, 1 a finding the
verb exists to report, 2 usage or connection errors."""

from __future__ import annotations

import os
import sys

from .arguments import ArgumentError, HelpRequested, parse
from .errors import DbmError
from .masking import mask


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        call = parse(argv)
    except HelpRequested as h:
        print(h.text.rstrip())
        return 0
    except ArgumentError as e:
        print(e.usage, file=sys.stderr)
        print(f"dbm: error: {mask(e)}", file=sys.stderr)
        return 2
    if call.version:
        from ._version import __version__

        print(__version__)
        return 0
    render = call.render
    try:
        with _progress():
            result = call.call()
            # a fleet asks twice: once for the canaries, once for the rest
            while result.needs_confirmation and sys.stdin.isatty() and render["format"] == "text":
                print(mask(result.to_text()))  # the preview, then ask: a terminal's confirmation
                try:
                    answer = input(result.prompt_text())
                except EOFError:
                    answer = ""
                result = result.confirm(answer)
    except DbmError as e:
        if render["format"] == "json":
            import json  # here: a listing that succeeds (a knex status) has no other use for it

            print(json.dumps(e.to_dict(), indent=2))
        print(f"dbm {call.verb}: {e.message}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("dbm: interrupted.", file=sys.stderr)
        return 130
    text = result.cli_output(format=render["format"], sql=render["sql"])
    if text:
        try:
            print(mask(text))
            sys.stdout.flush()
        except BrokenPipeError:  # `dbm diff --sql | psql` and psql stopped reading: its own error says why
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    return result.exit_code(report_attention=render["exit_code"])


def _progress():
    """Step i of N, elapsed and lock waits on stderr while a change runs: in a terminal, or with
    DBM_PROGRESS=1 (a CI log); stdout stays the result alone."""
    from contextlib import nullcontext

    if os.environ.get("DBM_PROGRESS", "") in ("1", "true", "yes") or sys.stderr.isatty():
        from .progress import listen, terminal_printer

        return listen(terminal_printer(sys.stderr))
    return nullcontext()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
