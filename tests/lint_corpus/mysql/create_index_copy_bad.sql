-- expect: mysql-algorithm-copy, mysql-index-without-online-options
CREATE INDEX users_email_idx ON users (email) ALGORITHM=COPY;
