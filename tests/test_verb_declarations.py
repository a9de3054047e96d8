"""Each verb is declared once, in ``api``: every parameter of every verb reaches the api call from
the ``dbm`` CLI and from ``%dbm`` with the signature's default, and the three front doors refuse
the same arguments. Parsing only: the kwargs checked are the ones the generator passes to ``api``."""

from __future__ import annotations

import inspect

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.arguments import VERBS, ArgumentError, cell_parameter, full_help, params, parse
from dbmigrate_magic.errors import UsageProblem

FRONT_ENDS = [("dbm", "cli"), ("%dbm", "magic")]
#: parameters a Python caller may give that neither front end offers (each with why)
PYTHON_ONLY = {
    ("new", "up_sql"): "the SQL of a new migration; the front ends write empty ones (%%dbm migrate writes from a cell)",
    ("new", "down_sql"): "as up_sql",
}


def required_argv(verb: str, leave_out: str = "") -> list[str]:
    """The least a command line needs for the verb (its required parameters but ``leave_out``)."""
    argv = [verb]
    for p in params(VERBS[verb]):
        if not p.required or not p.on_command_line or p.name == leave_out:
            continue
        argv += [p.arg.consts[0][0]] if p.arg.consts else ["req"]
    return argv


def samples(verb: str, p) -> list[tuple[list[str], object]]:
    """Command-line spellings of one parameter and the value each must give the api call."""
    before = []  # positionals come in order: fill the ones before it (``diff A TARGET``)
    for q in params(VERBS[verb]):
        if q.name == p.name:
            break
        if q.takes_positional and not q.required:
            before.append("earlier")
    if p.arg.consts:
        return [([flag], value) for flag, value, _ in p.arg.consts]
    value: object = p.arg.choices[-1] if p.arg.choices else "given"
    out: list[tuple[list[str], object]] = []
    if p.flag is not None:
        if p.kind == "switch":
            out.append(([p.flag], True))
        elif p.kind == "int":
            out.append(([p.flag, "3"], 3))
        elif p.kind == "list":
            out.append(([p.flag, "a", p.flag, "b"], ["a", "b"]))
        else:
            out.append(([p.flag, str(value)], value))
    if p.takes_positional:
        out.append((["a", "b"], ["a", "b"]) if p.kind == "list" else ([*before, str(value)], value))
    return out


CASES = [(verb, p) for verb, fn in VERBS.items() for p in params(fn)]


@pytest.mark.parametrize("prog,front_end", FRONT_ENDS)
@pytest.mark.parametrize("verb,p", CASES, ids=[f"{v}.{p.name}" for v, p in CASES])
def test_every_parameter_is_reachable_with_the_signature_default(verb, p, prog, front_end):
    default = inspect.signature(VERBS[verb]).parameters[p.name].default
    plain = parse(required_argv(verb), prog=prog, front_end=front_end)
    if p.arg.front_end is not None:  # set by the front end, not the user
        assert plain.kwargs[p.name] == p.arg.front_end[front_end]
        return
    if p.arg.cell:  # %%dbm VERB: the magic puts the cell body here
        assert cell_parameter(verb) == p.name and p.name not in plain.kwargs
        return
    if p.arg.python_only:
        assert (verb, p.name) in PYTHON_ONLY and p.name not in plain.kwargs
        return
    if not p.required:  # not given: the api call gets the signature's default, not the parser's
        assert p.name not in plain.kwargs, plain.kwargs
    spellings = samples(verb, p)
    assert spellings, f"{verb}.{p.name} cannot be given on the command line"
    for argv, value in spellings:
        call = parse(required_argv(verb, leave_out=p.name) + argv, prog=prog, front_end=front_end)
        assert call.kwargs[p.name] == value, (argv, call.kwargs)
    assert default is inspect.Parameter.empty or p.name not in plain.kwargs


def test_the_magic_and_the_cli_parse_alike():
    for verb in VERBS:
        cli, magic = parse(required_argv(verb)), parse(required_argv(verb), prog="%dbm", front_end="magic")
        front = {p.name for p in params(VERBS[verb]) if p.arg.front_end is not None}
        assert {k: v for k, v in cli.kwargs.items() if k not in front} == {
            k: v for k, v in magic.kwargs.items() if k not in front
        }


def test_render_options_follow_the_result():
    assert parse(["status", "--exit-code"]).render["exit_code"] is True
    assert parse(["diff", "a", "b", "--sql", "--format", "json"]).render == {
        "format": "json",
        "df": None,
        "exit_code": False,
        "sql": True,
    }
    for argv in (["new", "x", "--df", "v"], ["generate", "--df", "v"], ["migrate", "--sql"], ["detect", "--exit-code"]):
        with pytest.raises(ArgumentError):
            parse(argv)


def test_every_option_is_in_the_generated_help():
    text = full_help("%dbm")
    for verb, fn in VERBS.items():
        assert f"usage: %dbm {verb}" in text
        for p in params(fn):
            for flag in [p.flag] + [c[0] for c in p.arg.consts]:
                if flag and p.on_command_line:
                    assert flag in text, (verb, flag)
                    assert p.arg.help or p.arg.consts, f"{verb} {flag} has no help"


def test_diff_sides_given_both_ways():
    assert parse(["diff", "--from", "A", "B"]).kwargs == {"source": "A", "target": "B"}
    assert parse(["diff", "--to", "B", "A"]).kwargs == {"source": "A", "target": "B"}
    with pytest.raises(ArgumentError, match="3 were given"):
        parse(["diff", "A", "B", "--to", "C"])
    with pytest.raises(UsageProblem, match="SOURCE and a TARGET"):
        parse(["diff", "A"]).call()
    with pytest.raises(UsageProblem, match="SOURCE and a TARGET"):
        api.diff("A")


def test_lint_rules_repeat_and_comma_separate():
    call = parse(["lint", "--include", "a,b", "--include", "c", "--exclude", "d"])
    assert call.kwargs == {"include": ["a,b", "c"], "exclude": ["d"]}
    from dbmigrate_magic.api.reading import _rule_ids

    assert _rule_ids(call.kwargs["include"]) == ["a", "b", "c"] == _rule_ids("a, b,c")


@pytest.mark.parametrize(
    "call",
    [
        lambda root: api.generate("x", autogenerate=True, dry_run=True, project=root),
        lambda root: api.generate("x", "schema.sql", autogenerate=True, project=root),
        lambda root: api.generate("x", autogenerate=True, unsafe=True, project=root),
        lambda root: api.generate("x", "schema.sql", write=True, project=root),
        lambda root: api.generate(project=root),
        lambda root: api.migrate(root, yes=True, confirm="production"),
        lambda root: api.rollback(root, steps=1, to="x"),
    ],
)
def test_python_refuses_what_the_command_line_refuses(tmp_path, call):
    """Bug: ``api.generate(name, autogenerate=True, dry_run=True)`` ran the tool and wrote files
    where ``dbm generate --autogenerate --dry-run`` refused."""
    with pytest.raises(UsageProblem):
        call(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_generate_refusals_are_the_same_from_the_cli(capsys):
    from dbmigrate_magic.cli import main

    assert main(["generate", "--name", "x", "--autogenerate", "--dry-run"]) == 2
    assert "--autogenerate lets the tool" in capsys.readouterr().err
    assert main(["generate", "--name", "x", "--from-schema", "s.sql", "--write"]) == 2
    assert "go with --down-for" in capsys.readouterr().err
