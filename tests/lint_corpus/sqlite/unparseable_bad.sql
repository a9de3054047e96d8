-- expect: unparseable-statement@3
CREATE TABLE ok_table (id INTEGER PRIMARY KEY);
CREATE TABLE (;
