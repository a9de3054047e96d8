-- expect: sqlite-add-column-rejected
ALTER TABLE users ADD COLUMN handle TEXT UNIQUE;
