-- expect: transaction-nesting
-- options: in-transaction, session-timeouts
BEGIN;
ALTER TABLE users ADD COLUMN note text;
COMMIT;
