"""The ``dbm`` command line: parse, call ``api``, print. Exit codes: 0 success, 1 a finding the
verb exists to report, 2 usage or connection errors."""

from __future__ import annotations

import json
import os
import sys

from . import __version__
from .commands import ArgumentError, HelpRequested, parse, run
from .errors import DbmError
from .masking import mask


def exit_code_for(result, args) -> int:
    """1 when the verb found what it exists to report (``--exit-code``, lint errors, ...)."""
    hook = getattr(result, "exit_code", None)
    if callable(hook):
        return int(hook(args))
    if getattr(args, "exit_code", False) and getattr(result, "needs_attention", False):
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = parse(argv)
    except HelpRequested as h:
        print(h.text.rstrip())
        return 0
    except ArgumentError as e:
        print(e.usage, file=sys.stderr)
        print(f"dbm: error: {mask(e)}", file=sys.stderr)
        return 2
    if args.version:
        print(__version__)
        return 0
    try:
        result = run(args)
        if getattr(result, "needs_confirmation", False) and sys.stdin.isatty() and args.format == "text":
            print(mask(result.to_text()))  # the preview, then ask: a terminal's confirmation
            try:
                answer = input(result.prompt_text())
            except EOFError:
                answer = ""
            result = result.confirm(answer)
    except DbmError as e:
        if getattr(args, "format", "text") == "json":
            print(json.dumps(e.to_dict(), indent=2))
        print(f"dbm {args.verb}: {e.message}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("dbm: interrupted.", file=sys.stderr)
        return 130
    output = getattr(result, "cli_output", None)
    if callable(output):
        text = output(args)
    elif getattr(args, "format", "text") == "json":
        text = json.dumps(result.to_dict(), indent=2, default=str)
    else:
        text = result.to_text()
    if text:
        try:
            print(mask(text))
            sys.stdout.flush()
        except BrokenPipeError:  # `dbm diff --sql | psql` and psql stopped reading: its own error says why
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    return exit_code_for(result, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
