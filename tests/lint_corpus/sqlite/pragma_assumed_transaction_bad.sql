-- expect: sqlite-foreign-keys-pragma-in-transaction
-- options: in-transaction
PRAGMA foreign_keys = OFF;
