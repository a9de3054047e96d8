"""How a tool's tracking table looks in a database, and the catalogue of tools we have no adapter for.

The database is evidence too: before a write, the target's tables are compared with these marks
(``adapters.ownership``). Each adapter declares its own marks (``Adapter.table_marks``); the tools
below have no adapter, so their marks live here, in one place. A mark names the table as the tool
creates it by default and the columns that tell it apart from a same-named table of another tool
(``schema_migrations`` is golang-migrate's with ``dirty``, Ecto's with ``inserted_at``, dbmate's
or Rails' with ``version`` alone).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableMark:
    """A tracking table as ``owner`` creates it by default."""

    owner: str  # the tool's name, as a user knows it
    table: str
    columns: tuple[str, ...] = ()  # all present (lowercase)
    without: tuple[str, ...] = ()  # none present: what another tool's same-named table has
    schema: str | None = None  # the schema the tool pins on databases that have schemas
    command: str = ""  # how the owner applies its migrations, for the refusal's next step

    def matches(self, schema: str, table: str, columns: set[str], target_schema: str, has_schemas: bool) -> bool:
        if table.lower() != self.table.lower():
            return False
        if has_schemas and schema != (self.schema or target_schema):
            return False
        return set(self.columns) <= columns and not (set(self.without) & columns)


#: tools dbm has no adapter for, whose tables say a database belongs to them
FOREIGN: tuple[TableMark, ...] = (
    TableMark("Diesel", "__diesel_schema_migrations", ("version", "run_on"), command="diesel migration run"),
    TableMark("Ecto (Phoenix)", "schema_migrations", ("version", "inserted_at"), command="mix ecto.migrate"),
    TableMark("Rails (Active Record)", "ar_internal_metadata", ("key", "value"), command="bin/rails db:migrate"),
    TableMark("Sequelize", "SequelizeMeta", ("name",), command="npx sequelize-cli db:migrate"),
    TableMark("Laravel", "migrations", ("migration", "batch"), command="php artisan migrate"),
    TableMark("MikroORM", "mikro_orm_migrations", ("name", "executed_at"), command="npx mikro-orm migration:up"),
    TableMark("Liquibase", "databasechangelog", ("id", "author", "filename"), command="liquibase update"),
    TableMark("Flyway (before 5)", "schema_version", ("installed_rank", "version", "script"), command="flyway migrate"),
)
