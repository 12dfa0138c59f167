// The schema as migrations leave it, on the real embedded engine: every version once, in order, and a
// store made by an earlier version brought up to date without losing or doubling an event.
import { afterAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../../src/plans/load.js'
import { invoiceJson } from '../../src/render/invoice.js'
import { migrate } from '../../src/store/migrate.js'
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/migrations.js'
import { EVENTS_V3, TRANSACTION_ID_SQL } from '../../src/store/schema.js'
import { openStore, StoreMissingError, type Store } from '../../src/store/store.js'
import { ingestEvents, removeTempDirs, tempDir, uniqueDatabase } from '../support/events.js'
import { allInvoices } from '../support/usage.js'
import { queryRows } from '../support/query-rows.js'
import path from 'node:path'

const dataDir = tempDir('migrations')
afterAll(removeTempDirs)

const versions = (store: Store) =>
  queryRows<{ version: number }>(
    store,
    `SELECT version FROM ${store.db}.schema_migrations ORDER BY version`,
  ).then((r) => r.map((x) => Number(x.version)))

const tableDefinition = async (store: Store, table = 'events') =>
  (
    await queryRows<{ create_table_query: string }>(
      store,
      `SELECT create_table_query FROM system.tables WHERE database = {db:String} AND name = {table:String}`,
      { db: store.database, table },
    )
  )[0]!.create_table_query

/** Applies every migration in turn to a database without tables, recording each, as releases did. */
async function migrateStepByStep(store: Store, upTo = SCHEMA_VERSION): Promise<void> {
  await store.command(
    `CREATE TABLE ${store.db}.schema_migrations (version UInt32, description String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = MergeTree ORDER BY version`,
  )
  for (const m of MIGRATIONS.filter((m) => m.version <= upTo)) {
    await m.apply(store)
    await store.command(
      `INSERT INTO ${store.db}.schema_migrations (version, description) SELECT {version:UInt32}, {description:String}`,
      { params: { version: m.version, description: m.description } },
    )
  }
}

/** A database as version 2 of billing left it: its tables, and rows written as it wrote them. */
async function schemaTwoStore(): Promise<Store> {
  const store = await openStore({ mode: 'write', dataDir, database: uniqueDatabase('v2') })
  // migrate() went to the newest version; start again from the tables of versions 1 and 2.
  for (const table of ['events', 'ingest_runs', 'schema_migrations']) {
    await store.command(`DROP TABLE ${store.db}.${table} SYNC`)
  }
  await store.command(
    `CREATE TABLE ${store.db}.schema_migrations (version UInt32, description String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = MergeTree ORDER BY version`,
  )
  for (const m of MIGRATIONS.filter((m) => m.version <= 2)) {
    await m.apply(store)
    await store.command(
      `INSERT INTO ${store.db}.schema_migrations (version, description) VALUES (${m.version}, 'old')`,
    )
  }
  const v = (run: number, seq: number) => `${BigInt(run) * 2n ** 32n + BigInt(seq)}`
  // Two runs: run 2 sent acme's tx_1 again (newer), moving it to November; a UUID id and a text id.
  await store.command(`INSERT INTO ${store.db}.events (customer, transaction_id, code, timestamp, properties, version) VALUES
    ('acme', 'tx_1', 'api_calls', '2026-10-05 12:00:00', {'tokens': '10'}, ${v(1, 1)}),
    ('acme', '6f9619ff-8b86-4d01-b42d-00cf4fc964ff', 'api_calls', '2026-10-06 12:00:00', {'tokens': '20'}, ${v(1, 2)}),
    ('globex', 'tx_1', 'payment', '2026-10-07 12:00:00', {'amount': '100'}, ${v(1, 3)})`)
  await store.command(`INSERT INTO ${store.db}.events (customer, transaction_id, code, timestamp, properties, version) VALUES
    ('acme', 'tx_1', 'api_calls', '2026-11-02 12:00:00', {'tokens': '11'}, ${v(2, 1)})`)
  await store.command(`INSERT INTO ${store.db}.ingest_runs VALUES
    (1, '2026-10-08 00:00:00', '2026-10-08 00:00:01', ['a.ndjson'], 3, 3, 0, 'finished'),
    (2, '2026-11-03 00:00:00', '2026-11-03 00:00:01', ['b.ndjson'], 1, 1, 0, 'finished')`)
  return store
}

/** A database as version 3 of billing left it: rows of every kind in its key, (customer, code, ...). */
async function schemaThreeStore(): Promise<Store> {
  const store = await openStore({ mode: 'write', dataDir, database: uniqueDatabase('v3') })
  await store.command(`DROP TABLE ${store.db}.events SYNC`)
  await store.command(EVENTS_V3(store.db, 'events'))
  await store.command(`ALTER TABLE ${store.db}.schema_migrations DELETE WHERE version > 3`)
  const key = (id: string) => `reinterpretAsUUID(sipHash128('${id}'))`
  // moved: stored in October, moved to November by a newer copy, October's copy retired by a
  // tombstone; twice: two copies in one place, the newer wins.
  const rows = [
    `('acme', 'api_calls', ${key('moved')}, 'moved', '2026-10-05 12:00:00', {'tokens': '10'}, 100, 0)`,
    `('acme', 'api_calls', ${key('moved')}, 'moved', '2026-11-05 12:00:00', {'tokens': '11'}, 200, 0)`,
    `('acme', 'api_calls', ${key('moved')}, 'moved', '2026-10-05 12:00:00', {}, 199, 1)`,
    `('acme', 'storage', ${key('twice')}, 'twice', '2026-10-06 12:00:00', {'gb': '1'}, 100, 0)`,
    `('acme', 'storage', ${key('twice')}, 'twice', '2026-10-06 12:00:00', {'gb': '2'}, 300, 0)`,
    `('globex', 'payment', ${key('kept')}, 'kept', '2026-10-07 12:00:00', {'amount': '100'}, 100, 0)`,
  ]
  // One INSERT each, as separate runs wrote them: separate parts, not yet merged.
  for (const row of rows) {
    await store.command(
      `INSERT INTO ${store.db}.events (customer, code, tx_key, transaction_id, timestamp, properties, version, is_deleted) VALUES ${row}`,
    )
  }
  return store
}

/** The stored events as invoices read them: the newest copy of each, each month on its own. */
const storedEvents = (store: Store) =>
  queryRows(
    store,
    `SELECT customer, ${TRANSACTION_ID_SQL} AS transaction_id, code, toString(timestamp) AS at, properties
     FROM ${store.db}.events FINAL ORDER BY customer, transaction_id
     SETTINGS do_not_merge_across_partitions_select_final = 1`,
  )

describe('migrations', () => {
  it('a new database gets every version once, and the events table its layout', async () => {
    const store = await openStore({ mode: 'write', dataDir, database: uniqueDatabase() })
    try {
      expect(await versions(store)).toEqual(MIGRATIONS.map((m) => m.version))
      await migrate(store) // again: nothing new to apply
      expect(await versions(store)).toEqual(MIGRATIONS.map((m) => m.version))
      const events = await tableDefinition(store)
      expect(events).toContain('PARTITION BY toYYYYMM(timestamp)')
      expect(events).toContain('ORDER BY (code, customer, tx_key, transaction_id)')
      expect(events).toContain('ReplacingMergeTree(version, is_deleted)')
      expect(events).toContain('vertical_merge_algorithm_min_columns_to_activate = 1')
      expect(await tableDefinition(store, 'ingest_runs')).toContain('`first_version` UInt64')
    } finally {
      await store.close()
    }
  })

  it('a new store gets the very tables that every migration applied in turn builds', async () => {
    const fresh = await openStore({ mode: 'write', dataDir, database: uniqueDatabase('fresh') })
    const stepped = await openStore({ mode: 'write', dataDir, database: uniqueDatabase('stepped') })
    try {
      // Rebuilt from nothing through each migration, as a store made by version 1 and upgraded since.
      for (const table of ['events', 'ingest_runs', 'schema_migrations']) {
        await stepped.command(`DROP TABLE ${stepped.db}.${table} SYNC`)
      }
      await migrateStepByStep(stepped)
      const layout = async (store: Store) => ({
        tables: await Promise.all(
          ['events', 'ingest_runs', 'schema_migrations'].map(async (t) =>
            (await tableDefinition(store, t)).replaceAll(store.database, 'DB'),
          ),
        ),
        versions: await queryRows(
          store,
          `SELECT version, description FROM ${store.db}.schema_migrations ORDER BY version`,
        ),
      })
      const expected = await layout(stepped)
      expect(expected.versions).toHaveLength(MIGRATIONS.length)
      expect(await layout(fresh)).toEqual(expected)
      // At once, not migration by migration: every version in one INSERT, so one applied_at.
      const [at] = await queryRows<{ n: string }>(
        fresh,
        `SELECT toString(uniqExact(applied_at)) AS n FROM ${fresh.db}.schema_migrations`,
      )
      expect(at!.n).toBe('1')
    } finally {
      await Promise.all([fresh.close(), stepped.close()])
    }
  })

  it('migrates, not re-creates, a store whose first tables were made but no version recorded', async () => {
    const store = await openStore({ mode: 'write', dataDir, database: uniqueDatabase('unrecorded') })
    try {
      // As a crash during version 1's migration leaves it: its tables, an event, no version.
      for (const table of ['events', 'ingest_runs', 'schema_migrations']) {
        await store.command(`DROP TABLE ${store.db}.${table} SYNC`)
      }
      await migrateStepByStep(store, 0)
      await MIGRATIONS[0]!.apply(store)
      await store.command(
        `INSERT INTO ${store.db}.events (customer, transaction_id, code, timestamp, properties, version) VALUES ('acme', 'tx_1', 'api_calls', '2026-10-05 12:00:00', {'tokens': '10'}, 1)`,
      )
      await migrate(store)
      expect(await versions(store)).toEqual(MIGRATIONS.map((m) => m.version))
      expect(await tableDefinition(store)).toContain('ORDER BY (code, customer, tx_key, transaction_id)')
      expect(await storedEvents(store)).toEqual([
        {
          customer: 'acme',
          transaction_id: 'tx_1',
          code: 'api_calls',
          at: '2026-10-05 12:00:00.000',
          properties: { tokens: '10' },
        },
      ])
    } finally {
      await store.close()
    }
  })

  it('brings a version 2 store up to date, keeping every event once, newest copy, and its invoices', async () => {
    const store = await schemaTwoStore()
    const catalog = await loadCatalog(path.resolve(import.meta.dirname, '../../plans'))
    const period = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') }
    try {
      await migrate(store)
      expect(await versions(store)).toEqual([
        1,
        2,
        ...MIGRATIONS.filter((m) => m.version > 2).map((m) => m.version),
      ])
      expect(await storedEvents(store)).toEqual([
        {
          customer: 'acme',
          transaction_id: '6f9619ff-8b86-4d01-b42d-00cf4fc964ff',
          code: 'api_calls',
          at: '2026-10-06 12:00:00.000',
          properties: { tokens: '20' },
        },
        {
          customer: 'acme',
          transaction_id: 'tx_1',
          code: 'api_calls',
          at: '2026-11-02 12:00:00.000',
          properties: { tokens: '11' },
        },
        {
          customer: 'globex',
          transaction_id: 'tx_1',
          code: 'payment',
          at: '2026-10-07 12:00:00.000',
          properties: { amount: '100' },
        },
      ])
      // The UUID is stored as one, its text not kept.
      const [uuid] = await queryRows<{ text: string }>(
        store,
        `SELECT transaction_id AS text FROM ${store.db}.events WHERE tx_key = toUUID('6f9619ff-8b86-4d01-b42d-00cf4fc964ff')`,
      )
      expect(uuid).toEqual({ text: '' })
      // Runs keep their records, with the versions their rows carry.
      expect(
        await queryRows(
          store,
          `SELECT toString(run_id) AS run_id, status, toString(first_version) AS first FROM ${store.db}.ingest_runs FINAL ORDER BY run_id`,
        ),
      ).toEqual([
        { run_id: '1', status: 'finished', first: String(2n ** 32n) },
        { run_id: '2', status: 'finished', first: String(2n * 2n ** 32n) },
      ])
      // A later ingest of the same event wins over the migrated copy.
      await ingestEvents(store, dataDir, [
        {
          transaction_id: 'tx_1',
          customer: 'globex',
          code: 'payment',
          timestamp: '2026-10-07T12:00:00Z',
          properties: { amount: 150 },
        },
      ])
      const invoices = (await allInvoices(store, catalog, { period })).invoices.map((r) =>
        invoiceJson(r.invoice),
      )
      const globex = invoices.find((i) => i.customer === 'globex')!
      expect(globex.intervals[0]!.lines.find((l) => l.metric === 'payments')).toMatchObject({ units: '150' })
    } finally {
      await store.close()
    }
  })

  it('re-keys a version 3 store on (code, customer, …), keeping every copy and tombstone in its meaning', async () => {
    const store = await schemaThreeStore()
    try {
      const before = await storedEvents(store)
      expect(before).toEqual([
        {
          customer: 'acme',
          transaction_id: 'moved',
          code: 'api_calls',
          at: '2026-11-05 12:00:00.000',
          properties: { tokens: '11' },
        },
        {
          customer: 'acme',
          transaction_id: 'twice',
          code: 'storage',
          at: '2026-10-06 12:00:00.000',
          properties: { gb: '2' },
        },
        {
          customer: 'globex',
          transaction_id: 'kept',
          code: 'payment',
          at: '2026-10-07 12:00:00.000',
          properties: { amount: '100' },
        },
      ])
      await migrate(store)
      expect(await versions(store)).toEqual(MIGRATIONS.map((m) => m.version))
      expect(await tableDefinition(store)).toContain('ORDER BY (code, customer, tx_key, transaction_id)')
      expect(await storedEvents(store)).toEqual(before)
      // Every row came along, the tombstone and the older copies too (a later merge drops them).
      const [rows] = await queryRows<{ n: string }>(
        store,
        `SELECT toString(count()) AS n FROM ${store.db}.events`,
      )
      expect(rows).toEqual({ n: '6' })
      // Run again: nothing to do.
      await migrate(store)
      expect(await storedEvents(store)).toEqual(before)
    } finally {
      await store.close()
    }
  })

  it('finishes a migration that was interrupted after its copy and before the swap', async () => {
    const store = await schemaTwoStore()
    try {
      // As a crash mid-copy leaves it: the new table exists with part of the rows.
      await store.command(`CREATE TABLE ${store.db}.events_new AS ${store.db}.events`)
      await store.command(`INSERT INTO ${store.db}.events_new SELECT * FROM ${store.db}.events LIMIT 1`)
      await migrate(store)
      expect(await storedEvents(store)).toHaveLength(3)
      const tables = await queryRows<{ name: string }>(
        store,
        `SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name`,
        { db: store.database },
      )
      expect(tables.map((t) => t.name)).toEqual(['events', 'ingest_runs', 'schema_migrations'])
    } finally {
      await store.close()
    }
  })

  it('reading commands never create or migrate a store: they say what is missing', async () => {
    const missing = path.join(dataDir, 'no-such-folder')
    await expect(openStore({ mode: 'read', dataDir: missing, database: 'billing' })).rejects.toThrow(
      /no store: the data folder .*no-such-folder does not exist/,
    )
    await expect(openStore({ mode: 'read', dataDir, database: uniqueDatabase() })).rejects.toBeInstanceOf(
      StoreMissingError,
    )
    const old = await schemaTwoStore()
    const database = old.database
    await old.close()
    await expect(openStore({ mode: 'read', dataDir, database })).rejects.toThrow(
      new RegExp(`schema version 2, and this billing reads version ${SCHEMA_VERSION}: run billing ingest`),
    )
  })
})
