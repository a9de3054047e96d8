-- expect: require-concurrent-index-creation
-- options: in-transaction, session-timeouts
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
