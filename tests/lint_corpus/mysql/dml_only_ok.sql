-- expect: none
INSERT INTO settings (k, v) VALUES ('x', '1');
UPDATE settings SET v = '2' WHERE k = 'y';
DELETE FROM settings WHERE k = 'z';
