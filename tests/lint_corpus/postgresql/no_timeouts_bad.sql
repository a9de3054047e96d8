-- expect: require-lock-timeout, require-statement-timeout
-- options: in-transaction
ALTER TABLE users ADD COLUMN note text;
