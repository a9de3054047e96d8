-- expect: adding-exclusion-constraint@4
-- options: in-transaction, session-timeouts
CREATE TABLE slots (id bigint PRIMARY KEY, room bigint, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));
ALTER TABLE reservations ADD CONSTRAINT reservations_no_overlap EXCLUDE USING gist (room_id WITH =, period WITH &&);
