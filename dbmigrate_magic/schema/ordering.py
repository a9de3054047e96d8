"""Dependency ordering for relations: create what is read before what reads it, drop in reverse."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

N = TypeVar("N", bound=Hashable)  # a relation's key


def topo_order(nodes: Iterable[N], depends: Mapping[N, Iterable[N]]) -> list[N]:
    """Nodes ordered so each comes after the nodes it depends on (deps outside ``nodes`` ignored).

    Stable: among independent nodes the input order is kept. Cycles (which a database cannot hold
    between views) fall back to input order rather than failing.
    """
    ordered = list(nodes)
    wanted = set(ordered)
    done: set[N] = set()
    out: list[N] = []
    visiting: set[N] = set()

    def visit(n: N) -> None:
        if n in done or n in visiting:
            return
        visiting.add(n)
        for d in sorted(depends.get(n, ()), key=str):
            if d in wanted:
                visit(d)
        visiting.discard(n)
        done.add(n)
        out.append(n)

    for n in ordered:
        visit(n)
    return out


def dependants_closure(seeds: Iterable[N], depends: Mapping[N, Iterable[N]]) -> set[N]:
    """Every node that reads (directly or through others) any of ``seeds``."""
    readers: dict[N, set[N]] = {}
    for node, deps in depends.items():
        for d in deps:
            readers.setdefault(d, set()).add(node)
    out: set[N] = set()
    stack = list(seeds)
    while stack:
        n = stack.pop()
        for r in readers.get(n, ()):
            if r not in out:
                out.add(r)
                stack.append(r)
    return out
