-- expect: mysql-column-change-copies-table
ALTER TABLE users CHANGE COLUMN score points BIGINT;
