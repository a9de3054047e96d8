-- expect: mysql-expression-default
ALTER TABLE users ADD COLUMN token VARCHAR(36) DEFAULT (UUID());
