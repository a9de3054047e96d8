-- expect: none
ALTER TABLE users ADD COLUMN nickname TEXT;
