-- expect: none
-- options: in-transaction, session-timeouts
CREATE TABLE scratch (id bigint PRIMARY KEY);
DROP TABLE scratch;
