-- expect: none
-- options: pg-version=11, in-transaction, session-timeouts
REINDEX INDEX users_email_idx;
