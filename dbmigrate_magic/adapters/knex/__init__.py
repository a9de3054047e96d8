"""knex: the adapter and its files, config reader and tracking table."""
