-- expect: unparseable-statement@3
CREATE TABLE ok_table (id BIGINT PRIMARY KEY);
ALTER TABLE users ADD COLUMN (;
