-- expect: sqlite-rebuild-with-foreign-keys-on@3
BEGIN;
ALTER TABLE parent RENAME TO _dbm_old_parent;
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO parent (id, name) SELECT id, name FROM _dbm_old_parent;
DROP TABLE _dbm_old_parent;
COMMIT;
