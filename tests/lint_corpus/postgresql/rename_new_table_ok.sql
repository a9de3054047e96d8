-- expect: none
-- options: in-transaction, session-timeouts
CREATE TABLE staging (id bigint PRIMARY KEY, v text);
ALTER TABLE staging RENAME COLUMN v TO value;
