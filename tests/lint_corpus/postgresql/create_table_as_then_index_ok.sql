-- expect: none
-- options: in-transaction, session-timeouts
CREATE TABLE users_copy AS SELECT * FROM users;
CREATE INDEX users_copy_email_idx ON users_copy (email);
