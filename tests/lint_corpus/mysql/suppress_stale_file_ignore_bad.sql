-- expect: unused-ignore
-- dbm:ignore-file mysql-algorithm-copy
ALTER TABLE users ADD COLUMN note TEXT, ALGORITHM=INSTANT;
