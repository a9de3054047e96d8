-- expect: adding-field-with-default
-- options: pg-version=10, in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN active boolean DEFAULT true;
