"""Many migrations' SQL, each exactly as ``manage.py sqlmigrate [--backwards]`` prints it, in one pass.

This file runs inside the project's own Django process, with the project's interpreter (which may
not have dbm installed): it imports only Django and the standard library, and ``run.py`` sends its
text to the child rather than importing it.

``sqlmigrate`` builds a MigrationLoader, parses its arguments and builds the project state before
its migration on every call: over N migrations that is N loads and N states, quadratic. Here the
loader is read once and the state is carried along, as Django's executor does: a migration's SQL
is collected by applying it to the state before it, which then is the state before its child (the
states before migrations to unapply are walked forwards once, as the executor does).

Two things keep the SQL ``sqlmigrate``'s own. Its state before a migration holds exactly that
migration's ancestors (``make_state``), not everything planned before it, in the order of
``forwards_plan`` (a depth-first walk that visits the greatest parent first): so the state carried
on is the one ending at the greatest parent, completed with the other parents' ancestors it lacks
in the walk's order; without one it is built as ``sqlmigrate`` builds it. And each migration starts
from unrendered models, rendered afresh by the first operation that needs them, as under
``sqlmigrate``: the executor's models rendered once and updated per operation give other column
orders when SQLite rebuilds a table (tests/test_django_render.py has such a project). So a
migration with model operations still costs one render of its state, as each ``sqlmigrate`` does.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the project's interpreter may be older than dbm's
    Key = tuple[str, str]


class Threads:
    """States carried forward, by the migration each one ends with, and what each holds."""

    def __init__(self, loader: Any, keys: list[Key]):
        self.loader = loader
        self.held: dict[Key, tuple[Any, set[Key]]] = {}
        # a state ending at P is kept (or copied) while migrations still to render start from P
        self.waiting = Counter(p.key for k in keys for p in loader.graph.node_map[k].parents)

    def before(self, key: Key, copy: bool) -> tuple[Any, set[Key]]:
        """The state before ``key`` (exactly its ancestors, in ``make_state``'s order) and their
        keys; ``copy`` when the caller changes the state it gets while another migration still
        starts from the same parent."""
        graph = self.loader.graph
        node = graph.node_map[key]
        parents = sorted(node.parents)
        for parent in parents:
            self.waiting[parent.key] -= 1
            if self.waiting[parent.key] <= 0 and parent is not parents[-1]:
                self.held.pop(parent.key, None)
        # make_state applies forwards_plan(key): a depth-first walk that visits the greatest parent
        # first, so its order starts with the state ending at that parent, then what is missing
        held = self.held.get(parents[-1].key) if parents else None
        if held is None:
            state = self.loader.project_state(key, at_end=False)
            return state, set(graph.forwards_plan(key)) - {key}
        state, included = held
        missing = unvisited(node, included)
        if self.waiting[parents[-1].key] > 0:
            state, included = (state.clone() if copy or missing else state), set(included)
        else:
            del self.held[parents[-1].key]
        for other in missing:
            graph.nodes[other].mutate_state(state, preserve=False)
            included.add(other)
        return state, included

    def after(self, key: Key, state: Any, included: set[Key]) -> None:
        """``state`` now ends with ``key``: keep it if a migration still to render starts there."""
        if self.waiting[key] > 0:
            unrendered(state)
            included.add(key)
            self.held[key] = (state, included)

    def drop(self) -> None:
        """After a failure the state may be half-changed: later migrations start afresh."""
        self.held.clear()


def unvisited(node: Any, visited: set[Key]) -> list[Key]:
    """The ancestors of ``node`` outside ``visited`` (which holds all the ancestors of each of its
    keys), in the order Django's ``iterative_dfs`` gives them when it has already walked ``visited``."""
    seen, order = set(visited), []
    stack = [(node, False)]
    while stack:
        current, done = stack.pop()
        if current.key in seen:
            continue
        if done:
            seen.add(current.key)
            order.append(current.key)
        else:
            stack.append((current, True))
            stack += [(parent, False) for parent in sorted(current.parents)]
    return order[:-1]  # the last is ``node`` itself


def unrendered(state: Any) -> Any:
    """``state`` as ``make_state`` leaves it: its models not rendered (an operation that needs
    them renders them afresh, as under ``sqlmigrate``), relations not yet resolved."""
    state.__dict__.pop("apps", None)
    state.is_delayed = False
    state._relations = None
    return state


def sql_of(connection: Any, migration: Any, state: Any, backwards: bool) -> tuple[str, Any]:
    """``sqlmigrate``'s output for ``migration`` from ``state`` (which applying forwards changes),
    and the state after it (forwards only)."""
    with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
        if backwards:
            migration.unapply(state, editor, collect_sql=True)
        else:
            state = migration.apply(state, editor, collect_sql=True)
    output = "\n".join(editor.collected_sql)  # read after the block: deferred SQL is added on exit
    if output and migration.atomic and connection.features.can_rollback_ddl:
        output = f"{connection.ops.start_transaction_sql()}\n{output}\n{connection.ops.end_transaction_sql()}"
    if output and not output.endswith("\n"):
        output += "\n"
    return output, state


def by_command(app: str, name: str, backwards: bool) -> dict[str, str]:
    """``sqlmigrate`` itself, for what the fast path does not cover (its own errors included)."""
    import io

    from django.core.management import call_command

    buf = io.StringIO()
    try:
        call_command("sqlmigrate", app, name, backwards=backwards, stdout=buf)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"sql": buf.getvalue()}


def states_before(threads: Threads, keys: list[Key]) -> dict[Key, Any]:
    """The state before each of ``keys`` (given in forwards order), walked forwards once as the
    executor does before unapplying; a state that fails to build is left to be built alone."""
    nodes = threads.loader.graph.nodes
    states: dict[Key, Any] = {}
    for key in keys:
        try:
            state, included = threads.before(key, copy=False)
            states[key] = state
            threads.after(key, nodes[key].mutate_state(state, preserve=True), included)
        except Exception:
            threads.drop()
    threads.drop()
    return states


def render(items: list[tuple[str, str, bool]]) -> dict[str, dict[str, str]]:
    """``"app.name" -> {"sql": ...}`` or ``{"error": ...}`` for each (app, name, backwards)."""
    from django.core.management import get_commands
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.loader import MigrationLoader

    if get_commands().get("sqlmigrate") != "django.core":  # the project's own sqlmigrate: ask it
        return {f"{a}.{n}": by_command(a, n, b) for a, n, b in items}
    connection = connections[DEFAULT_DB_ALIAS]
    loader = MigrationLoader(connection, replace_migrations=False)  # as sqlmigrate loads it
    nodes = loader.graph.nodes
    forwards = [(a, n) for a, n, b in items if not b and (a, n) in nodes]
    backwards = [(a, n) for a, n, b in reversed(items) if b and (a, n) in nodes]
    before = states_before(Threads(loader, backwards), backwards)
    threads = Threads(loader, forwards)
    out: dict[str, dict[str, str]] = {}
    for app, name, back in items:
        key = (app, name)
        if key not in nodes:  # a name prefix, an unknown app...: sqlmigrate's own answer
            out[f"{app}.{name}"] = by_command(app, name, back)
            continue
        try:
            if back:
                state = before.pop(key, None)
                if state is None:
                    state = loader.project_state(key, at_end=False)
                sql, _ = sql_of(connection, nodes[key], state, True)
            else:
                state, included = threads.before(key, copy=True)
                sql, state = sql_of(connection, nodes[key], state, False)
                threads.after(key, state, included)
        except Exception as exc:
            threads.drop()
            out[f"{app}.{name}"] = {"error": f"{type(exc).__name__}: {exc}"}
        else:
            out[f"{app}.{name}"] = {"sql": sql}
    return out
