-- expect: transaction-nesting@6
-- options: session-timeouts
BEGIN;
UPDATE accounts SET status = 'active' WHERE status IS NULL;
COMMIT;
COMMIT;
