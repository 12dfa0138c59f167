// `billing loadtest --url`: the same run against a ClickHouse server (the HTTP stand-in of the tests,
// answered by the embedded engine), the staging rows travelling in the INSERT bodies.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { runLoadtest } from '../../src/loadtest/loadtest.js'
import { dropLoadtestDatabase } from '../../src/loadtest/loadtest-store.js'
import { ArrivalSchedule } from '../../src/loadtest/schedule.js'
import { withDefaults } from '../../src/loadtest/thresholds.js'
import { EVENT_CODES } from '../../src/loadtest/traffic.js'
import { openStore } from '../../src/store/store.js'
import { startClickHouseHttp, type ClickHouseHttp } from '../support/clickhouse-http.js'

let tmp: string
let server: ClickHouseHttp

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'billing-loadtest-server-'))
  server = await startClickHouseHttp({ dataDir: path.join(tmp, 'server') })
})

afterAll(async () => {
  await server?.close()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

it('sends every event to a server and counts each back once', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const store = await openStore({ mode: 'write', url: server.url, database: 'billing_loadtest' })
  try {
    const summary = await runLoadtest(store, {
      schedule: ArrivalSchedule.constant(2000, 1500),
      traffic: { customers: 50, zipf: 1, codes: EVENT_CODES, seed: 3 },
      workers: 1,
      lingerMs: 200,
      thresholds: withDefaults([]),
    })
    expect(summary).toMatchObject({
      store: 'server',
      generated: 3000,
      confirmed: 3000,
      rows: 3000,
      written: 3000,
      lost: 0,
      duplicates: 0,
    })
    expect(summary.time.engineCpuSeconds).toBeNull()
    const inserts = server.requests.filter((r) =>
      r.query.startsWith('INSERT INTO `billing_loadtest`.events ('),
    )
    expect(inserts.length).toBe(summary.insert.count)
    // RowBinary staging rows, the transaction ids as 16 bytes: ~90 bytes an event.
    expect(inserts.reduce((sum, r) => sum + r.dataBytes, 0)).toBeGreaterThan(3000 * 60)
    await dropLoadtestDatabase(store)
    expect(server.requests.at(-1)?.query).toMatch(/^DROP DATABASE IF EXISTS `billing_loadtest`/)
  } finally {
    await store.close()
    await sleep(200)
    warn.mockRestore()
  }
})
