-- expect: unparseable-statement@4
-- options: session-timeouts
CREATE TABLE IF NOT EXISTS ok_table (id bigint PRIMARY KEY);
ALTER TABLE users ADD COLUM broken text;
CREATE INDEX CONCURRENTLY IF NOT EXISTS later_idx ON users (email);
