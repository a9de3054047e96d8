-- expect: require-enum-value-ordering
-- options: in-transaction, session-timeouts
ALTER TYPE mood ADD VALUE 'ecstatic';
