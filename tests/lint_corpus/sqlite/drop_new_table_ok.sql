-- expect: none
CREATE TABLE scratch (id INTEGER PRIMARY KEY);
DROP TABLE scratch;
