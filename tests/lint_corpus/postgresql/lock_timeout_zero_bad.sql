-- expect: require-lock-timeout
-- options: in-transaction
SET lock_timeout = 0;
SET statement_timeout = '1min';
ALTER TABLE users ADD COLUMN note text;
