-- expect: none
-- options: pg-version=12, in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN joined date DEFAULT now()::date;
ALTER TABLE users ADD COLUMN tags text[] NOT NULL DEFAULT ARRAY[]::text[];
ALTER TABLE users ADD COLUMN label text DEFAULT lower('NEW') || '-' || 'x';
