exports.up = (knex) =>
  knex.schema.createTable("orders", (t) => {
    t.increments("id");
    t.integer("customer_id").references("customers.id");
    t.decimal("total", 10, 2);
  });

exports.down = (knex) => knex.schema.dropTable("orders");
