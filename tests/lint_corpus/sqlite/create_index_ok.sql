-- expect: none
CREATE INDEX IF NOT EXISTS notes_body_idx ON notes (body);
