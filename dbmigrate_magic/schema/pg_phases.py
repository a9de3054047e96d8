"""The order of a PostgreSQL diff's statements: each statement names its phase, and statements run
in the order the phases are listed here (within a phase, in the order they were made).

Dependants' drops come before what they depend on and creations before use: triggers, policies
and views are dropped first and recreated last; foreign keys are added after every table and
unique index exists; enums, domains, types and sequences exist before the columns that use them.
"""

from __future__ import annotations

from enum import IntEnum, auto


class Phase(IntEnum):
    SETTINGS = auto()  # SET check_function_bodies = off
    DROP_TRIGGERS = auto()  # and policies
    DROP_VIEW_READERS = auto()  # functions that read a view, before the view goes
    DROP_VIEWS = auto()
    DROP_USERS = auto()  # defaults/constraints/indexes calling a function dropped next
    DROP_FUNCS = auto()  # functions recreated (their new version comes later)
    DROP_FKS = auto()
    DROP_CONS = auto()  # constraints, indexes, identities
    DROP_PARTITIONS = auto()  # before new partitions (bounds may overlap) and their parents
    SCHEMAS = auto()  # and extensions
    ENUMS = auto()
    DOMAINS = auto()  # after enums (a domain may be over one)
    SEQUENCES = auto()
    TYPES = auto()  # composite and range types: after domains and enums they may use
    FUNCS = auto()
    ENUM_SWAP = auto()  # columns converted to a recreated type
    TABLES = auto()
    PARTITIONS = auto()  # CREATE TABLE ... PARTITION OF, after the parent
    ALTER = auto()  # columns added, dropped, changed
    SET_DEFAULTS = auto()  # a parent's SET DEFAULT, which recurses to its children
    INHERITING_TABLES = auto()  # CREATE TABLE ... INHERITS, after the parent's columns
    CHILD_DEFAULTS = auto()  # children's own defaults, after what their parents gave them
    DROP_TABLES = auto()
    OWNED = auto()  # ALTER SEQUENCE ... OWNED BY, once the column exists
    REBIND = auto()  # functions with SQL-standard bodies: after the tables they read, before constraints using them
    CONS = auto()  # constraints and indexes
    FKS = auto()
    DROP_OTHER = auto()  # removed sequences and functions, replaced types
    DROP_TYPES = auto()  # removed types after the functions that take them, dependants first:
    DROP_DOMAINS = auto()  # composite/range types, domains (a composite may hold one),
    DROP_ENUMS = auto()  # enums (a domain may be over one),
    DROP_EXTENSIONS = auto()  # extensions (whose types any of them may use)
    DROP_SCHEMAS = auto()
    VIEWS = auto()
    VIEW_READERS = auto()  # functions that read a view
    VIEW_INDEXES = auto()  # indexes on materialized views
    TRIGGERS = auto()  # and policies, row level security
    COMMENTS = auto()  # and grants
