-- expect: adding-not-nullable-field
-- options: in-transaction, session-timeouts
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
