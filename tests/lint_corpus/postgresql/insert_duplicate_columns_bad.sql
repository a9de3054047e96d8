-- expect: ban-duplicate-column-assignments
INSERT INTO settings (key, value, key) VALUES ('a', 'b', 'c');
