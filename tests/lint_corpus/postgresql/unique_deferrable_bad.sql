-- expect: disallowed-unique-constraint
-- options: in-transaction, session-timeouts
ALTER TABLE "Playlist" ADD CONSTRAINT "Playlist_position_key" UNIQUE ("ownerId", "position") DEFERRABLE INITIALLY DEFERRED;
