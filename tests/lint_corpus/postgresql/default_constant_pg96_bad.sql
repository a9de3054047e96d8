-- expect: adding-field-with-default
-- options: pg-version=9.6, in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN score bigint DEFAULT 0;
