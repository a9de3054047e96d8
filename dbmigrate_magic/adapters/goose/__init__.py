"""goose (read-only): the adapter and its file rules."""
