-- expect: adding-field-with-default
-- options: pg-version=15, in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
