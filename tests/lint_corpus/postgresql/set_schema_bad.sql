-- expect: ban-set-schema
-- options: in-transaction, session-timeouts
ALTER TABLE users SET SCHEMA archive;
