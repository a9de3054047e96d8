-- expect: renaming-table
RENAME TABLE users TO accounts;
