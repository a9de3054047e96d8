-- expect: none
-- options: pg-version=11, in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN active boolean DEFAULT true;
