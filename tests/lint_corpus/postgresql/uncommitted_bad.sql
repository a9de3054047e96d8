-- expect: ban-uncommitted-transaction
-- options: session-timeouts
BEGIN;
ALTER TABLE users ADD COLUMN note text;
