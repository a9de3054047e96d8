-- expect: require-statement-timeout
-- options: in-transaction
SET LOCAL lock_timeout = '1s';
ALTER TABLE users ADD COLUMN note text;
