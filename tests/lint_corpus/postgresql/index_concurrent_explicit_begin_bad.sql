-- expect: ban-concurrent-index-creation-in-transaction
-- options: session-timeouts
BEGIN;
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);
COMMIT;
