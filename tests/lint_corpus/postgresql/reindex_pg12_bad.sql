-- expect: require-concurrent-reindex
-- options: pg-version=12, in-transaction, session-timeouts
REINDEX INDEX users_email_idx;
