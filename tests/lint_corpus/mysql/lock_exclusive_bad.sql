-- expect: mysql-lock-shared-exclusive
ALTER TABLE users LOCK=EXCLUSIVE, ADD COLUMN note TEXT;
