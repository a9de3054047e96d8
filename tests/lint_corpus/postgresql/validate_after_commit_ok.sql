-- expect: none
-- options: session-timeouts
BEGIN;
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
COMMIT;
BEGIN;
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive;
COMMIT;
