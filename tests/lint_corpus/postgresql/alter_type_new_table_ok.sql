-- expect: none
-- options: in-transaction, session-timeouts
CREATE TABLE t2 (id bigint PRIMARY KEY, v text);
ALTER TABLE t2 ALTER COLUMN v TYPE jsonb USING v::jsonb;
