-- expect: require-table-schema@4, require-table-schema@6
-- options: include=require-table-schema
CREATE TABLE billing.plans (id bigint PRIMARY KEY);
CREATE TABLE subscriptions (id bigint PRIMARY KEY);
CREATE TEMP TABLE scratch (id bigint);
ALTER TABLE subscriptions ADD COLUMN plan_id bigint;
