-- expect: none
ALTER TABLE users DROP INDEX users_email_idx, ALGORITHM=INPLACE, LOCK=NONE;
