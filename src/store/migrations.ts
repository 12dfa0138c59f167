// The schema, in order. Each migration runs once per database and is recorded with its version;
// never edit one that has shipped: add the next. A migration that moves data checks where an earlier,
// interrupted attempt left off, so running it again finishes the job.
import type { Store } from './store.js'
import { EVENTS_KEY, EVENTS_V3, EVENTS_V4, INGEST_RUNS_V3, TX_KEY_SQL, TX_TEXT_SQL } from './schema.js'

export interface Migration {
  version: number
  description: string
  apply(store: Store): Promise<void>
}

/** A migration made of statements that can each run again (IF NOT EXISTS, idempotent ALTERs). */
function statements(make: (db: string) => string[]): Migration['apply'] {
  return async (store) => {
    for (const query of make(store.db)) await store.command(query)
  }
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'raw events, one row per (customer, transaction_id) after de-duplication; ingest runs',
    apply: statements((db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.events
(
    customer       String,
    transaction_id String,
    code           LowCardinality(String),
    timestamp      DateTime64(3, 'UTC'),
    properties     Map(String, String),
    version        UInt64,
    ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (customer, transaction_id)`,
      `CREATE TABLE IF NOT EXISTS ${db}.ingest_runs
(
    run_id      UInt32,
    started_at  DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    sources     Array(String),
    lines       UInt64,
    accepted    UInt64,
    rejected    UInt64,
    status      LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY run_id`,
    ]),
  },
  {
    version: 2,
    description:
      'events: vertical merges and 256 KiB compression blocks, so merges and inserts need less memory',
    // With 7 columns the default threshold (11) made every merge horizontal: all columns of all
    // parts in memory at once. Measured at 12M events: merge memory 185 -> 105 MB, no slowdown;
    // insert buffers 86 -> 65 MB; the same size on disk.
    apply: statements((db) => [
      `ALTER TABLE ${db}.events MODIFY SETTING vertical_merge_algorithm_min_columns_to_activate = 1, max_compress_block_size = 262144`,
    ]),
  },
  {
    version: 3,
    description:
      'events by month, keyed on (customer, code, transaction key), compressed; runs with 64-bit ids and their version stamps',
    apply: async (store) => {
      await replaceTable(
        store,
        'events',
        () => hasColumn(store, 'events', 'tx_key'),
        EVENTS_V3,
        (from, to) =>
          // FINAL: one row per event, the newest copy, as schema 2 kept them.
          `INSERT INTO ${to} (customer, code, tx_key, transaction_id, timestamp, properties, version, ingested_at)
SELECT customer, code, ${TX_KEY_SQL('transaction_id')}, ${TX_TEXT_SQL('transaction_id')}, timestamp, properties, version, ingested_at
FROM ${from} FINAL`,
      )
      await replaceTable(
        store,
        'ingest_runs',
        () => hasColumn(store, 'ingest_runs', 'first_version'),
        INGEST_RUNS_V3,
        (from, to) =>
          // A schema-2 run's versions are run << 32 | line.
          `INSERT INTO ${to} (run_id, started_at, finished_at, sources, lines, accepted, rejected, status, first_version, last_version)
SELECT run_id, started_at, finished_at, sources, lines, accepted, rejected, status,
       bitShiftLeft(toUInt64(run_id), 32), bitShiftLeft(toUInt64(run_id) + 1, 32) - 1
FROM ${from} FINAL`,
      )
    },
  },
  {
    version: 4,
    description: "events keyed on (code, customer, transaction key): a code's rows together, for carry-ins",
    apply: async (store) => {
      await replaceTable(
        store,
        'events',
        async () => (await sortingKey(store, 'events')) === EVENTS_KEY,
        EVENTS_V4,
        (from, to) =>
          // Every row as it is (older copies and tombstones too): the new key is made of the same
          // columns, so each row means what it meant, and merges fold the copies as they would have.
          `INSERT INTO ${to} (customer, code, tx_key, transaction_id, timestamp, properties, version, is_deleted, ingested_at)
SELECT customer, code, tx_key, transaction_id, timestamp, properties, version, is_deleted, ingested_at
FROM ${from}
SETTINGS optimize_on_insert = 0`,
      )
    },
  },
]

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version

/**
 * Rebuilds `table` in a new layout: copies its rows into `<table>_new`, swaps the two names, drops
 * the old one. `done` tells a finished swap (the table has the new layout) from an interrupted one,
 * which starts the copy over.
 */
async function replaceTable(
  store: Store,
  table: string,
  done: () => Promise<boolean>,
  create: (db: string, table: string) => string,
  copy: (from: string, to: string) => string,
): Promise<void> {
  const db = store.db
  const next = `${table}_new`
  const old = `${table}_old`
  if (!(await done())) {
    await store.command(`DROP TABLE IF EXISTS ${db}.${next} SYNC`)
    await store.command(create(db, next))
    await store.command(copy(`${db}.${table}`, `${db}.${next}`))
    await store.command(`RENAME TABLE ${db}.${table} TO ${db}.${old}, ${db}.${next} TO ${db}.${table}`)
  }
  await store.command(`DROP TABLE IF EXISTS ${db}.${old} SYNC`)
}

async function hasColumn(store: Store, table: string, column: string): Promise<boolean> {
  const rows = await store.rows<{ n: string }>(
    `SELECT toString(count()) AS n FROM system.columns WHERE database = {db:String} AND table = {table:String} AND name = {column:String}`,
    { params: { db: store.database, table, column } },
  )
  return Number(rows[0]?.n ?? 0) > 0
}

async function sortingKey(store: Store, table: string): Promise<string> {
  const rows = await store.rows<{ key: string }>(
    `SELECT sorting_key AS key FROM system.tables WHERE database = {db:String} AND name = {table:String}`,
    { params: { db: store.database, table } },
  )
  return rows[0]?.key ?? ''
}
