-- expect: adding-field-with-default
-- options: in-transaction, session-timeouts
ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;
