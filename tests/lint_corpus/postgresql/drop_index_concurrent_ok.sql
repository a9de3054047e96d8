-- expect: none
-- options: session-timeouts
DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;
