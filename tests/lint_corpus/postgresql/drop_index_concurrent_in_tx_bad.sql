-- expect: ban-concurrent-index-creation-in-transaction
-- options: in-transaction, session-timeouts
DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;
