-- expect: mysql-column-change-copies-table
ALTER TABLE users ENGINE=InnoDB;
