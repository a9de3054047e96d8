-- expect: ban-duplicate-column-assignments
-- options: session-timeouts
CREATE VIEW order_totals AS SELECT o.id, c.id, sum(o.amount) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY 1, 2;
