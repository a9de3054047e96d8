"""PostgreSQL: statements parsed by libpg_query (pglast), rules over its JSON parse tree."""
