-- expect: none
-- options: session-timeouts
UPDATE shipments SET addr.street = 'Main', addr.city = 'Oslo', tags[1] = 'x', tags[2] = 'y' WHERE id = 7;
CREATE VIEW shipment_cities (id, city) AS SELECT id, (addr).city FROM shipments;
