-- expect: require-concurrent-index-creation
-- options: in-transaction, session-timeouts
CREATE INDEX users_email_idx ON users (email);
