-- expect: none
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN created timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP;
