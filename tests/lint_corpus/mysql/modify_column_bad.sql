-- expect: mysql-column-change-copies-table
ALTER TABLE users MODIFY COLUMN score BIGINT NOT NULL;
