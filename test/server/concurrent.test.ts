// Two ingests at once on one server (as two machines would run them): their runs never share an id
// or a version, and the copy ingested last wins, even when the earlier run's INSERT lands after.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingest } from '../../src/ingest/ingest.js'
import { openStore, type Store } from '../../src/store/store.js'
import { startClickHouseHttp, type ClickHouseHttp } from '../support/clickhouse-http.js'
import { removeTempDirs, tempDir, uniqueDatabase, writeEvents } from '../support/events.js'
import { queryRows } from '../support/query-rows.js'

const dir = tempDir('concurrent')
let server: ClickHouseHttp
let delayEventInserts = 0
beforeAll(async () => {
  server = await startClickHouseHttp({
    dataDir: path.join(dir, 'data'),
    faults: (r) =>
      delayEventInserts > 0 && r.query.includes('.events (') && r.query.startsWith('INSERT')
        ? (delayEventInserts--, { delayMs: 1500 })
        : undefined,
  })
})
afterAll(async () => {
  await server?.close()
  removeTempDirs()
})

const event = (value: number) => ({
  transaction_id: 'tx-1',
  customer: 'acme',
  code: 'api_calls',
  timestamp: '2026-10-05T12:00:00Z',
  properties: { v: value },
})

async function run(store: Store, value: number) {
  const file = writeEvents(dir, [event(value), { ...event(value), transaction_id: `only-${value}` }])
  return ingest(store, { sources: [file], rejectsPath: `${file}.rejects`, workers: 1 })
}

describe('two ingests at once on one server', () => {
  it('get runs of their own, versions that never meet, and the copy stamped last wins', async () => {
    const database = uniqueDatabase('conc')
    const setup = await openStore({ mode: 'write', url: server.url, database })
    const [a, b] = await Promise.all([
      openStore({ mode: 'write', url: server.url, database }),
      openStore({ mode: 'write', url: server.url, database }),
    ])
    try {
      // Both start together; the first run's INSERT is held back, so that it lands after the second's.
      delayEventInserts = 1
      const [first, second] = await Promise.all([run(a, 1), run(b, 2)])
      expect(first.run).not.toBe(second.run)
      const runs = await queryRows<{ run: string; first: string; last: string }>(
        setup,
        `SELECT toString(run_id) AS run, toString(first_version) AS first, toString(last_version) AS last
         FROM ${setup.db}.ingest_runs FINAL ORDER BY first_version`,
      )
      expect(runs).toHaveLength(2)
      expect(BigInt(runs[0]!.last) < BigInt(runs[1]!.first)).toBe(true)
      // The event both sent: the copy whose batch was stamped later wins, whichever landed last.
      const [stored] = await queryRows<{ v: string; version: string }>(
        setup,
        `SELECT properties['v'] AS v, toString(version) AS version FROM ${setup.db}.events FINAL
         WHERE transaction_id = 'tx-1'`,
      )
      const later = runs[1]!.run === String(first.run) ? '1' : '2'
      expect(stored!.v).toBe(later)
      expect(BigInt(stored!.version) >= BigInt(runs[1]!.first)).toBe(true)
    } finally {
      await Promise.all([a.close(), b.close(), setup.close()])
    }
  })
})
