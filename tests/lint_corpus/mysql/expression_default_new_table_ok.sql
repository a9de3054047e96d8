-- expect: none
CREATE TABLE tokens (id BIGINT PRIMARY KEY, token VARCHAR(36) DEFAULT (UUID()));
