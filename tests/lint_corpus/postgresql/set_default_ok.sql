-- expect: none
-- options: in-transaction, session-timeouts
ALTER TABLE orders ALTER COLUMN state SET DEFAULT 'new';
