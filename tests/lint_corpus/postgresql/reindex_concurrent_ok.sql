-- expect: none
-- options: session-timeouts
REINDEX INDEX CONCURRENTLY users_email_idx;
