-- expect: transaction-nesting
-- options: session-timeouts
BEGIN;
BEGIN;
ALTER TABLE users ADD COLUMN note text;
COMMIT;
