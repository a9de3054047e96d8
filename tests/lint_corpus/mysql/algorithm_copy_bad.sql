-- expect: mysql-algorithm-copy
ALTER TABLE users ADD COLUMN note TEXT, ALGORITHM=COPY;
