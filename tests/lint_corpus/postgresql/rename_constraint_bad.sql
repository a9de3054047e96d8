-- expect: renaming-object
-- options: in-transaction, session-timeouts
ALTER TABLE users RENAME CONSTRAINT users_email_key TO users_email_uniq;
