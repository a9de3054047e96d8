-- expect: mysql-column-change-copies-table, partially-parsed-statement
ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;
