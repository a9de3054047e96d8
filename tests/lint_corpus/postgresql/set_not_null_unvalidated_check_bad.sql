-- expect: adding-not-nullable-field
-- options: pg-version=15, in-transaction, session-timeouts
ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
