// Written by dbmigrate_magic for one typeorm run, then deleted. It loads the project's own
// DataSource unchanged and replaces only its connection (and, for `--to`, its migration list)
// with what dbmigrate_magic chose; the connection arrives in DBM_NODE_CONNECTION.
const loaded = require(process.env.DBM_DATASOURCE);

const FAMILY = { postgres: "postgresql", cockroachdb: "postgresql", mysql: "mysql", mariadb: "mysql",
  sqlite: "sqlite", "better-sqlite3": "sqlite" };
const isDataSource = (v) => v && typeof v === "object" && typeof v.setOptions === "function" &&
  typeof v.runMigrations === "function";

async function dbmDataSource() {
  let ds = isDataSource(loaded) ? loaded : null;
  for (const key of Object.keys(loaded || {})) {
    if (ds) break;
    const value = await loaded[key];
    if (isDataSource(value)) ds = value;
  }
  if (!ds) throw new Error(`${process.env.DBM_DATASOURCE} exports no TypeORM DataSource`);
  const target = JSON.parse(process.env.DBM_NODE_CONNECTION);
  const family = FAMILY[ds.options.type];
  if (family !== target.dialect) {
    throw new Error(`the DataSource is for ${ds.options.type} but the chosen environment is ${target.dialect}; ` +
      "TypeORM cannot switch database type, so choose an environment of the same type");
  }
  const options = target.dialect === "sqlite" ? { database: target.database }
    : { url: target.url, database: target.database };
  if (process.env.DBM_TYPEORM_MIGRATIONS) options.migrations = JSON.parse(process.env.DBM_TYPEORM_MIGRATIONS);
  ds.setOptions(options);
  // some drivers (mysql) keep their own copy of the options, made when the DataSource was built
  if (ds.driver && ds.driver.options && ds.driver.options !== ds.options) Object.assign(ds.driver.options, options);
  return ds;
}

module.exports = { dataSource: dbmDataSource() };
