-- expect: none
-- options: session-timeouts
CREATE TABLE IF NOT EXISTS fresh (id bigint PRIMARY KEY);
