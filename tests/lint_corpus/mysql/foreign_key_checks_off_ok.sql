-- expect: none
SET foreign_key_checks = 0;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id), ALGORITHM=INPLACE, LOCK=NONE;
SET foreign_key_checks = 1;
