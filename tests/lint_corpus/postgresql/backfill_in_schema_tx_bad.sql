-- expect: backfill-in-schema-transaction@6
-- options: in-transaction, session-timeouts
CREATE TABLE coupons (id bigint PRIMARY KEY, code text);
UPDATE coupons SET code = upper(code);
ALTER TABLE invoices ADD COLUMN currency text;
UPDATE invoices SET currency = 'EUR' WHERE currency IS NULL;
