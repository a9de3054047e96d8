-- expect: prefer-robust-stmts
-- options: session-timeouts
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
