-- expect: prefer-identity, prefer-bigint-over-int
-- options: in-transaction, session-timeouts
CREATE TABLE tags (id serial PRIMARY KEY, name text);
