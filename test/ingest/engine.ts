// Ingest tests run against the real embedded engine. chDB binds one data folder per process, so a test
// file uses one folder and gives each test its own database (and its own store, closed after it).
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { ingest, type IngestOptions, type IngestSummary } from '../../src/ingest/ingest.js'
import { openStore, type Store } from '../../src/store/store.js'
import { queryRows } from '../support/query-rows.js'

export interface Engine {
  store: Store
  /** The test's database, quoted for SQL. */
  db: string
  /** Writes an input file in the test's own folder and returns its path. */
  file(name: string, content: string | Buffer): string
  ingest(sources: string[], options?: Partial<IngestOptions>): Promise<IngestSummary>
  rows<T = Record<string, unknown>>(query: string, params?: Record<string, unknown>): Promise<T[]>
  /** Stored events, one per (customer, transaction_id). */
  count(): Promise<number>
  /** The rejects file as [file, line, field, reason] rows; [] when there is none. */
  rejects(): [string, number, string | null, string][]
  rejectsPath: string
}

/** Small chunks and batches, so even small inputs take several INSERTs when they can. */
export const SMALL = { workers: 2, chunkBytes: 4096, batchBytes: 16384 } as const

export function useEngine(): () => Engine {
  let root = ''
  let current: Engine | undefined
  // Open for the whole file: the engine starts once, not again for each test's store (closing the
  // folder's last connection stops it; starting it again cost 0.3-0.4 s a test).
  let keeper: Store | undefined
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'billing-ingest-test-'))
    keeper = await openStore({ mode: 'write', dataDir: path.join(root, 'data'), database: 'keeper' })
  })
  afterAll(async () => {
    await keeper?.close()
    rmSync(root, { recursive: true, force: true })
  })
  beforeEach(async () => {
    const database = `t_${randomBytes(6).toString('hex')}`
    const dir = path.join(root, database)
    mkdirSync(dir)
    const store = await openStore({ mode: 'write', dataDir: path.join(root, 'data'), database })
    const rejectsPath = path.join(dir, 'rejects.ndjson')
    const rows = <T>(query: string, params: Record<string, unknown> = {}) =>
      queryRows<T>(store, query, params)
    current = {
      store,
      db: store.db,
      rejectsPath,
      file(name, content) {
        const p = path.join(dir, name)
        writeFileSync(p, content)
        return p
      },
      ingest: (sources, options = {}) => ingest(store, { sources, rejectsPath, ...SMALL, ...options }),
      rows,
      async count() {
        const [row] = await rows<{ n: string }>(`SELECT toString(count()) AS n FROM ${store.db}.events FINAL`)
        return Number(row!.n)
      },
      rejects() {
        if (!existsSync(rejectsPath)) return []
        return readFileSync(rejectsPath, 'utf8')
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as { file: string; line: number; field: string | null; reason: string })
          .map((r) => [path.basename(r.file), r.line, r.field, r.reason])
      },
    }
  })
  afterEach(async () => {
    await current?.store.close()
    current = undefined
  })
  return () => {
    if (!current) throw new Error('no engine: call it inside a test')
    return current
  }
}

export interface EventFields {
  tx: string
  customer?: string
  code?: string
  timestamp?: string | number
  properties?: Record<string, string | number | boolean>
}

/** One event line, written with JSON.stringify. */
export function event(e: EventFields): string {
  return JSON.stringify({
    transaction_id: e.tx,
    customer: e.customer ?? 'acme',
    code: e.code ?? 'api_call',
    timestamp: e.timestamp ?? '2026-10-05T12:00:00Z',
    ...(e.properties ? { properties: e.properties } : {}),
  })
}

export const lines = (...ls: string[]) => ls.join('\n') + '\n'
