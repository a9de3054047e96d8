"""Which objects an introspection reads (the migra-style filters)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """Which objects to read (the migra-style filters)."""

    schemas: tuple[str, ...] = ()  # only these (empty: all user schemas)
    exclude_schemas: tuple[str, ...] = ()
    privileges: bool = False
    ignore_extension_versions: bool = False

    def wants(self, schema: str) -> bool:
        if self.schemas and schema not in self.schemas:
            return False
        return schema not in self.exclude_schemas
