-- expect: none
SET lock_timeout = '2s';
SET statement_timeout = '10min';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS discount numeric;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS discount_nonneg;
ALTER TABLE orders ADD CONSTRAINT discount_nonneg CHECK (discount >= 0) NOT VALID;
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_discount_idx ON orders (discount);
