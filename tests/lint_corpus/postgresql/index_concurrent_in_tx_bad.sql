-- expect: ban-concurrent-index-creation-in-transaction
-- options: in-transaction, session-timeouts
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);
