-- expect: prefer-robust-stmts
-- options: session-timeouts
CREATE TABLE fresh (id bigint PRIMARY KEY);
