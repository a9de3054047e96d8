-- expect: mysql-index-without-online-options
DROP INDEX users_email_idx ON users;
