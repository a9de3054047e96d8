"""Schema engine: introspect a live database into a normalised model, diff two models, and render
the DDL that turns one into the other, ordered so it applies cleanly.

``introspect(db)`` -> ``SchemaModel``; ``diff(a, b)`` -> ``SchemaDiff`` (changes + ordered SQL).
Each dialect has one introspection module and one renderer module; the diff itself is shared.
"""

from __future__ import annotations

from .diff import Change, SchemaDiff, diff
from .introspect import introspect
from .model import Column, Constraint, Index, SchemaModel, Table, Thing

__all__ = [
    "Column",
    "Constraint",
    "Index",
    "SchemaModel",
    "Table",
    "Thing",
    "Change",
    "SchemaDiff",
    "diff",
    "introspect",
]
