-- expect: sqlite-add-column-rejected
ALTER TABLE users ADD COLUMN uid INTEGER PRIMARY KEY;
