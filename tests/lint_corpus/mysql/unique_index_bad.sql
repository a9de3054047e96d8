-- expect: mysql-index-without-online-options
ALTER TABLE users ADD UNIQUE INDEX users_email_key (email);
