-- expect: ban-alter-identity
-- options: in-transaction, session-timeouts
ALTER TABLE users ALTER COLUMN id DROP IDENTITY;
