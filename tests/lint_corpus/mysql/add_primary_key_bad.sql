-- expect: mysql-column-change-copies-table
ALTER TABLE legacy ADD PRIMARY KEY (id);
