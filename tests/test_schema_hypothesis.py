"""Random schema pairs (tables, columns, indexes, unique/check/foreign-key constraints): the
round-trip property must hold for every pair hypothesis draws. Bounded so it runs in about a minute."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import new_database
from tests.schema_support import roundtrip
from tests.test_schema_roundtrip import reset_pg

TYPES = {
    "postgresql": ["integer", "bigint", "text", "varchar(20)", "boolean", "numeric(8,2)"],
    "sqlite": ["integer", "text", "real", "blob", "numeric"],
    "mysql": ["int", "bigint", "varchar(20)", "decimal(8,2)", "tinyint"],
}
INT_TYPES = {"integer", "bigint", "int", "tinyint", "numeric(8,2)", "decimal(8,2)", "real", "numeric"}
DEFAULTS = {"boolean": "true", "text": "'x'", "varchar(20)": "'y'", "blob": None}


@st.composite
def schemas(draw, dialect: str):
    tables = []
    count = draw(st.integers(0, 3))
    for t in range(count):
        name = f"t{t}"
        cols = [("id", "integer" if dialect != "mysql" else "int", False, None)]
        for c in draw(st.lists(st.sampled_from("abcd"), unique=True, max_size=4)):
            typ = draw(st.sampled_from(TYPES[dialect]))
            nullable = draw(st.booleans())
            default = None
            if draw(st.booleans()):
                default = DEFAULTS.get(typ, "7")
            cols.append((c, typ, nullable, default))
        lines = []
        for c, typ, nullable, default in cols:
            line = f"{c} {typ}"
            if c == "id":
                line += " not null primary key"
            else:
                if not nullable:
                    line += " not null"
                if default is not None:
                    line += f" default {default}"
            lines.append(line)
        extra = []
        if t > 0 and draw(st.booleans()):
            parent = f"t{draw(st.integers(0, t - 1))}"
            action = draw(st.sampled_from(["", " on delete cascade", " on delete set null", " on update cascade"]))
            if dialect == "postgresql" and draw(st.booleans()):
                action += " deferrable initially deferred"
            lines.append(f"ref_{parent} {'int' if dialect == 'mysql' else 'integer'}")
            lines.append(f"constraint {name}_fk foreign key (ref_{parent}) references {parent}(id){action}")
        numeric = [c for c, typ, _, _ in cols[1:] if typ in INT_TYPES]
        if numeric and draw(st.booleans()):
            lines.append(f"constraint {name}_ck check ({numeric[0]} > {draw(st.integers(-5, 5))})")
        indexable = [c for c, typ, _, _ in cols[1:] if typ not in ("text", "blob")]
        for i, cols_ix in enumerate(
            draw(st.lists(st.lists(st.sampled_from(indexable), min_size=1, max_size=2, unique=True), max_size=2))
            if indexable
            else []
        ):
            unique = "unique " if draw(st.booleans()) else ""
            where = ""
            if dialect != "mysql" and draw(st.booleans()):  # partial index
                where = f" where {cols_ix[0]} is not null"
            extra.append(f"create {unique}index {name}_ix{i} on {name} ({', '.join(cols_ix)}){where};")
        strings = [c for c, typ, _, _ in cols[1:] if typ in ("text", "varchar(20)")]
        if strings and draw(st.booleans()):  # expression index (PG, SQLite) / prefix-length index (MySQL)
            key = f"{strings[0]}(5)" if dialect == "mysql" else f"(lower({strings[0]}))"
            extra.append(f"create index {name}_x on {name} ({key});")
        if dialect == "postgresql" and indexable and draw(st.booleans()):
            lines.append(f"constraint {name}_uq unique ({indexable[-1]})")
        tables.append(f"create table {name} (\n  " + ",\n  ".join(lines) + "\n);\n" + "\n".join(extra))
    return "\n".join(tables)


def pairs(dialect):
    return st.tuples(schemas(dialect), schemas(dialect))


# shrinking is switched off (Phase.shrink) to keep the run bounded; a failure prints the drawn pair as is


COMMON = dict(
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@settings(max_examples=40, **COMMON)
@given(pair=pairs("sqlite"))
def test_random_sqlite_pairs(pair, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pair")
    roundtrip(f"sqlite:///{folder / 'a.db'}", f"sqlite:///{folder / 'b.db'}", *pair, [])


@pytest.fixture(scope="module")
def pg_dbs():
    a, drop_a = new_database("postgres")
    b, drop_b = new_database("postgres")
    yield a, b
    drop_a()
    drop_b()


@pytest.mark.postgres
@settings(max_examples=15, **COMMON)
@given(pair=pairs("postgresql"))
def test_random_postgres_pairs(pair, pg_dbs):
    for url in pg_dbs:
        reset_pg(url)
    roundtrip(*pg_dbs, *pair, [])


@pytest.mark.mysql
@settings(max_examples=10, **COMMON)
@given(pair=pairs("mysql"))
def test_random_mysql_pairs(pair):
    a, drop_a = new_database("mysql")
    b, drop_b = new_database("mysql")
    try:
        roundtrip(a, b, *pair, [])
    finally:
        drop_a()
        drop_b()
