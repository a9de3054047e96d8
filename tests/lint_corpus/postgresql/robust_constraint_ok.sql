-- expect: none
-- options: session-timeouts
ALTER TABLE orders DROP CONSTRAINT IF EXISTS qty_positive;
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
