-- expect: prefer-identity
-- options: in-transaction, session-timeouts
CREATE TABLE tags (id bigserial PRIMARY KEY, name text);
