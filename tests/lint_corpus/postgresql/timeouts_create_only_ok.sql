-- expect: none
CREATE TABLE IF NOT EXISTS fresh (id bigint PRIMARY KEY, v text);
