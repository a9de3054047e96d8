// Written by dbmigrate_magic for one knex run, then deleted. It loads the project's own knexfile
// unchanged and replaces only the connection with the environment chosen in dbmigrate_magic
// (passed in DBM_NODE_CONNECTION, never on the command line).
process.chdir(process.env.DBM_PROJECT_ROOT); // relative paths in the knexfile mean the project

const FAMILY = { pg: "postgresql", postgres: "postgresql", postgresql: "postgresql", "pg-native": "postgresql",
  mysql: "mysql", mysql2: "mysql", sqlite3: "sqlite", "better-sqlite3": "sqlite" };
const DEFAULT_CLIENT = { postgresql: "pg", mysql: "mysql2", sqlite: "better-sqlite3" };

module.exports = async function dbmKnexConfig() {
  let config = require(process.env.DBM_KNEXFILE);
  if (config && config.default) config = config.default;
  if (typeof config === "function") config = await config();
  if (config && config.client === undefined && config.connection === undefined) {
    // a knexfile with one section per environment: take the one named like ours, as knex --env would
    const names = [process.env.DBM_KNEX_ENV, process.env.NODE_ENV, "development"];
    const key = names.find((k) => k && config[k]) || Object.keys(config)[0];
    config = config[key];
  }
  config = Object.assign({}, config);
  const target = JSON.parse(process.env.DBM_NODE_CONNECTION);
  if (FAMILY[config.client] !== target.dialect) config.client = DEFAULT_CLIENT[target.dialect];
  if (target.dialect === "sqlite") {
    config.connection = { filename: target.database };
    config.useNullAsDefault = true;
  } else {
    config.connection = target.url;
  }
  return config;
};
