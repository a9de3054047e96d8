-- expect: mysql-algorithm-copy@5
CREATE TABLE t1 (id BIGINT PRIMARY KEY);

-- line 4 next
ALTER TABLE users ADD COLUMN c INT, ALGORITHM=COPY;
