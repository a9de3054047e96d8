-- expect: none
ALTER TABLE users ADD COLUMN nickname VARCHAR(64) NULL;
