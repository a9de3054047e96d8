-- expect: require-concurrent-index-creation@8, renaming-column@11
-- options: in-transaction, session-timeouts
/* header comment
   spanning lines; with a semicolon */
ALTER TABLE users ADD COLUMN note text; -- fine

-- next statement starts on line 6
CREATE INDEX users_note_idx
    ON users (note);

ALTER TABLE users RENAME COLUMN note TO remark;
