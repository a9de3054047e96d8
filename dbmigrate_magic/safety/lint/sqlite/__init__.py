"""SQLite: ALTER TABLE forms SQLite cannot do (table rebuilds) and foreign keys during rebuilds."""
