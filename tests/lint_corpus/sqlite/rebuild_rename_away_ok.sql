-- expect: none
PRAGMA foreign_keys = OFF;
BEGIN;
PRAGMA legacy_alter_table = ON;
ALTER TABLE parent RENAME TO _dbm_old_parent;
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO parent (id, name) SELECT id, name FROM _dbm_old_parent;
DROP TABLE _dbm_old_parent;
PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
