-- expect: require-concurrent-index-deletion
-- options: in-transaction, session-timeouts
DROP INDEX users_email_idx;
