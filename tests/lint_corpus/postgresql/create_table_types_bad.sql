-- expect: prefer-bigint-over-int, prefer-identity, prefer-text-field, ban-char-field, prefer-timestamp-tz, prefer-bigint-over-smallint
-- options: in-transaction, session-timeouts
CREATE TABLE accounts (
    id serial PRIMARY KEY,
    name varchar(100) NOT NULL,
    country char(2),
    level smallint,
    created_at timestamp NOT NULL DEFAULT now()
);
