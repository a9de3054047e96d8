-- expect: disallowed-unique-constraint
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
