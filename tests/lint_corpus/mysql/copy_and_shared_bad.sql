-- expect: mysql-algorithm-copy, mysql-lock-shared-exclusive
ALTER TABLE users ADD COLUMN note TEXT, ALGORITHM=COPY, LOCK=SHARED;
