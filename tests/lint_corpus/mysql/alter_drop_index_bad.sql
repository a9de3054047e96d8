-- expect: mysql-index-without-online-options
ALTER TABLE users DROP INDEX users_email_idx;
