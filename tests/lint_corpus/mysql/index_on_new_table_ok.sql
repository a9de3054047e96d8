-- expect: none
CREATE TABLE audit (id BIGINT AUTO_INCREMENT PRIMARY KEY, body TEXT, created_at DATETIME);
CREATE INDEX audit_created_idx ON audit (created_at);
