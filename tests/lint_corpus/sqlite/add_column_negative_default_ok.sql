-- expect: none
ALTER TABLE users ADD COLUMN balance INTEGER NOT NULL DEFAULT -1;
