"""Dependency ordering for relations: create what is read before what reads it, drop in reverse."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping


def topo_order(nodes: Iterable[Hashable], depends: Mapping[Hashable, Iterable[Hashable]]) -> list:
    """Nodes ordered so each comes after the nodes it depends on (deps outside ``nodes`` ignored).

    Stable: among independent nodes the input order is kept. Cycles (which a database cannot hold
    between views) fall back to input order rather than failing.
    """
    nodes = list(nodes)
    wanted = set(nodes)
    done: set = set()
    out: list = []
    visiting: set = set()

    def visit(n) -> None:
        if n in done or n in visiting:
            return
        visiting.add(n)
        for d in sorted(depends.get(n, ()), key=str):
            if d in wanted:
                visit(d)
        visiting.discard(n)
        done.add(n)
        out.append(n)

    for n in nodes:
        visit(n)
    return out


def dependants_closure(seeds: Iterable[Hashable], depends: Mapping[Hashable, Iterable[Hashable]]) -> set:
    """Every node that reads (directly or through others) any of ``seeds``."""
    readers: dict = {}
    for node, deps in depends.items():
        for d in deps:
            readers.setdefault(d, set()).add(node)
    out: set = set()
    stack = list(seeds)
    while stack:
        n = stack.pop()
        for r in readers.get(n, ()):
            if r not in out:
                out.add(r)
                stack.append(r)
    return out
