"""sqlx (Rust): read-only status from ``_sqlx_migrations``."""
