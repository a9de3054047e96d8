-- expect: sqlite-add-column-rejected
ALTER TABLE users ADD COLUMN tenant_id INTEGER NOT NULL;
