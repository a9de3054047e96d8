-- expect: mysql-ddl-mixed-with-dml
ALTER TABLE users ADD COLUMN tier VARCHAR(16) NULL, ALGORITHM=INSTANT;
UPDATE users SET tier = 'free' WHERE tier IS NULL;
