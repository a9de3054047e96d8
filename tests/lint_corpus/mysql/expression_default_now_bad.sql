-- expect: mysql-expression-default
ALTER TABLE users ADD COLUMN seen DATETIME DEFAULT (NOW() + INTERVAL 1 DAY);
