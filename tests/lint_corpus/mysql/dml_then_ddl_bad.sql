-- expect: mysql-ddl-mixed-with-dml
INSERT INTO settings (k, v) VALUES ('x', '1');
ALTER TABLE settings ADD COLUMN note TEXT, ALGORITHM=INSTANT;
