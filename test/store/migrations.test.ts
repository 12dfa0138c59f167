// The schema as migrations leave it, on the real embedded engine: every version once, in order, and
// an existing database brought up to date without losing its events.
import { afterAll, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../src/store/connect.js'
import { migrate } from '../../src/store/migrate.js'
import { MIGRATIONS } from '../../src/store/migrations.js'
import { queryRows } from '../../src/store/query-rows.js'
import { ingestEvents, removeTempDirs, tempDir, uniqueDatabase } from '../support/events.js'

const dataDir = tempDir('migrations')
afterAll(removeTempDirs)

const versions = (store: Store) =>
  queryRows<{ version: number }>(
    store,
    `SELECT version FROM ${store.db}.schema_migrations ORDER BY version`,
  ).then((r) => r.map((x) => Number(x.version)))

const eventsTableSettings = async (store: Store) =>
  (
    await queryRows<{ engine_full: string }>(
      store,
      `SELECT engine_full FROM system.tables WHERE database = '${store.database}' AND name = 'events'`,
    )
  )[0]!.engine_full

describe('migrations', () => {
  it('a new database gets every version once, and the events table its merge and compression settings', async () => {
    const database = uniqueDatabase()
    const store = await openStore({ dataDir, database })
    try {
      expect(await versions(store)).toEqual(MIGRATIONS.map((m) => m.version))
      await migrate(store) // again: nothing new to apply
      expect(await versions(store)).toEqual(MIGRATIONS.map((m) => m.version))
      const engine = await eventsTableSettings(store)
      expect(engine).toContain('vertical_merge_algorithm_min_columns_to_activate = 1')
      expect(engine).toContain('max_compress_block_size = 262144')
    } finally {
      await store.close()
    }
  })

  it('brings a version 1 database up to date and keeps its events', async () => {
    const database = uniqueDatabase()
    const store = await openStore({ dataDir, database })
    try {
      await ingestEvents(store, dataDir, [
        { transaction_id: 't1', customer: 'c1', code: 'api', timestamp: '2026-10-05T12:00:00Z' },
      ])
      // Back to the schema as version 1 left it.
      await store.client.command({
        query: `ALTER TABLE ${store.db}.events RESET SETTING vertical_merge_algorithm_min_columns_to_activate, max_compress_block_size`,
      })
      await store.client.command({ query: `DELETE FROM ${store.db}.schema_migrations WHERE version > 1` })
      expect(await eventsTableSettings(store)).not.toContain('vertical_merge')
      await migrate(store)
      expect(await versions(store)).toEqual(MIGRATIONS.map((m) => m.version))
      expect(await eventsTableSettings(store)).toContain(
        'vertical_merge_algorithm_min_columns_to_activate = 1',
      )
      expect(await queryRows(store, `SELECT transaction_id FROM ${store.db}.events FINAL`)).toEqual([
        { transaction_id: 't1' },
      ])
    } finally {
      await store.close()
    }
  })
})
