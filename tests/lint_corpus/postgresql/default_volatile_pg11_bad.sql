-- expect: adding-field-with-default
-- options: pg-version=11, in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN r double precision DEFAULT random();
