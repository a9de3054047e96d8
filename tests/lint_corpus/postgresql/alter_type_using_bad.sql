-- expect: changing-column-type
-- options: in-transaction, session-timeouts
ALTER TABLE users ALTER COLUMN born TYPE date USING born::date;
