-- expect: none
ALTER TABLE users DROP COLUMN legacy_flag; # dbm:ignore ban-drop-column
