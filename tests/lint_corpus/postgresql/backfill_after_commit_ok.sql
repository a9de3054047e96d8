-- expect: none
-- options: session-timeouts
BEGIN;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS currency text;
COMMIT;
UPDATE invoices SET currency = 'EUR' WHERE currency IS NULL AND id < 10000;
