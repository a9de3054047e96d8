"""What the PostgreSQL differ's parts share while they walk two models: the models, the collector
the statements go to, and the bookkeeping one part leaves for another (a table whose columns
change tells the views and triggers part to recreate what reads it)."""

from __future__ import annotations

from .changes import Collector
from .model import Key, SchemaModel

ThingKey = tuple[str, str, str]  # (kind, schema, name), as ``SchemaModel.things`` keys them


class PgDiffState:
    def __init__(self, a: SchemaModel, b: SchemaModel, extensions_only: bool = False):
        self.a, self.b, self.out = a, b, Collector()
        self.extensions_only = extensions_only
        # tables whose columns change in a way views, triggers and policies notice; also functions
        # (schema, "f(args)") dropped or recreated, which views calling them depend on
        self.altered_relations: set[Key] = set()
        self.functions_recreated = False
        self.unique_dropped: set[Key] = set()  # tables whose primary key / unique index is dropped
        self.fk_added: set[tuple[Key, str]] = set()  # (table key, constraint name) foreign keys (re)added
        self.predropped: set[tuple[Key, str]] = set()  # (table key, name) constraints/indexes dropped with a function
        self.swapped_functions: set[ThingKey] = set()  # functions recreated around an enum swap
        self.created_tables: set[Key] = set()  # created (or recreated) by this script
