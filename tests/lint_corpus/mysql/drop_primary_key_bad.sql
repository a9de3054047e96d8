-- expect: mysql-column-change-copies-table
ALTER TABLE legacy DROP PRIMARY KEY;
