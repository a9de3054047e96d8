-- expect: mysql-index-without-online-options
ALTER TABLE users ADD INDEX users_email_idx (email);
