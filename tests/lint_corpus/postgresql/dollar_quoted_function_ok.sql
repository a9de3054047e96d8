-- expect: none
-- options: in-transaction, session-timeouts
CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now(); -- a semicolon inside the body;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
