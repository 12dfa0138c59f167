// `ingest()` in server mode with many INSERTs, in this process against the test server.
// `ingest()` runs the compiled worker from dist/: build first (`npx tsc -p tsconfig.build.json`).
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { ingest } from '../../src/ingest/ingest.js'
import { openStore } from '../../src/store/store.js'
import { startClickHouseHttp, type ClickHouseHttp } from '../support/clickhouse-http.js'

const root = path.resolve(import.meta.dirname, '../..')
let tmp: string
let server: ClickHouseHttp

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'billing-server-ingest-'))
  server = await startClickHouseHttp({ dataDir: path.join(tmp, 'server') })
})

afterAll(async () => {
  await server?.close()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

let finishedInTime: boolean | undefined

it('stores every event when a run takes more than 10 INSERTs', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const store = await openStore({ mode: 'write', url: server.url, database: 'batches' })
  try {
    const run = ingest(store, {
      sources: [path.join(root, 'plans/events.ndjson')],
      rejectsPath: path.join(tmp, 'rejects.ndjson'),
      workers: 1,
      chunkBytes: 64 << 10,
      batchBytes: 1,
    })
    finishedInTime = await Promise.race([run.then(() => true), sleep(2500).then(() => false)])
    expect(await run).toMatchObject({ accepted: 4587, newEvents: 4557, duplicatesInInput: 30 })
    const inserts = server.requests.filter((r) => r.query.startsWith('INSERT INTO `batches`.events'))
    expect(inserts.length).toBeGreaterThan(10)
  } finally {
    await store.close()
    // The client warns about each socket it gave up on, as they close.
    await sleep(200)
    warn.mockRestore()
  }
})

// Each INSERT's response must be read to its end, or the client keeps its socket and, past its ten
// sockets, every further INSERT waits for a keep-alive timeout.
it('... and does not wait for idle sockets to be dropped to do it', () => {
  expect(finishedInTime).toBe(true)
})
