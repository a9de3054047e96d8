// A small Knex project on SQLite. The connection is read from DATABASE_URL (see .env).
const url = process.env.DATABASE_URL || "file:./dev.sqlite3";
module.exports = {
  client: "better-sqlite3",
  connection: { filename: url.replace(/^file:/, "") },
  useNullAsDefault: true,
  migrations: { directory: "./migrations" },
};
