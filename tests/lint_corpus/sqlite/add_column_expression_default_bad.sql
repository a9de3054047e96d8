-- expect: sqlite-add-column-rejected
ALTER TABLE users ADD COLUMN r INTEGER DEFAULT (random());
