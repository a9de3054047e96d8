-- expect: mysql-lock-shared-exclusive
ALTER TABLE users ADD COLUMN note TEXT, LOCK=SHARED;
