// The built CLI with --url, against the test server (test/support/clickhouse-http.ts): the same
// commands on the same files must give the same results as the embedded store.
// Runs dist/: build first (`npx tsc -p tsconfig.build.json`; `npm test` does).
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  startClickHouseHttp,
  type ClickHouseHttp,
  type Fault,
  type RecordedRequest,
} from '../support/clickhouse-http.js'

const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')
const EVENTS = 'plans/events.ndjson'
const ACME = ['invoice', '--customer', 'acme', '--period', '2026-10', '--json', '--plans', 'plans']
const ALL = ['invoice', '--all', '--period', '2026-10', '--json']

let tmp: string
let server: ClickHouseHttp
let fault: ((r: RecordedRequest) => Fault | undefined) | undefined
/** The same commands on the embedded store, started in beforeAll and run alongside. */
let embedded: Promise<{ ingest: Cli; acme: Cli; all: Cli }>

interface Cli {
  code: number
  stdout: string
  stderr: string
}

/** Runs the built CLI. Asynchronously: the server answering it runs in this process. */
function billing(args: string[]): Promise<Cli> {
  const env = { ...process.env }
  for (const k of [
    'CLICKHOUSE_URL',
    'CLICKHOUSE_USER',
    'CLICKHOUSE_PASSWORD',
    'BILLING_DATA',
    'BILLING_DATABASE',
    'BILLING_PLANS',
  ])
    delete env[k]
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: root, env, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

const database = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`
const onServer = (db: string, args: string[]) => billing([...args, '--url', server.url, '--database', db])
const ingestArgs = () => [
  'ingest',
  EVENTS,
  '--json',
  '--rejects',
  path.join(tmp, `rejects-${randomBytes(3).toString('hex')}.ndjson`),
]

function json(r: Cli): any {
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout)
}

beforeAll(async () => {
  if (!existsSync(path.join(root, 'dist/commands/ingest.js')))
    throw new Error('build first: npx tsc -p tsconfig.build.json')
  tmp = mkdtempSync(path.join(os.tmpdir(), 'billing-server-mode-'))
  server = await startClickHouseHttp({ dataDir: path.join(tmp, 'server'), faults: (r) => fault?.(r) })
  const data = path.join(tmp, 'embedded')
  const local = (args: string[]) => billing([...args, '--data', data, '--database', 'billing'])
  embedded = (async () => {
    const ingest = await local(ingestArgs())
    return { ingest, acme: await local(ACME), all: await local(ALL) }
  })()
})

afterAll(async () => {
  await embedded?.catch(() => {})
  await server?.close()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('billing --url (server mode)', () => {
  const db = database('srv')
  let first: any

  it('ingests the example events', async () => {
    first = json(await onServer(db, ingestArgs()))
    expect(first).toMatchObject({
      lines: 4587,
      stored: 4587,
      new_events: 4557,
      rejected: 0,
      interrupted: false,
    })
    expect(first.duplicates).toEqual({ in_input: 30, already_stored: 0 })
    // The events travel in the body of one INSERT ... SELECT FROM input(), with its settings.
    const inserts = server.requests.filter((r) => r.query.includes(`INSERT INTO \`${db}\`.events (`))
    expect(inserts).toHaveLength(1)
    expect(inserts[0]).toMatchObject({ status: 200, params: { first_seq: '0' } })
    expect(Number(inserts[0]!.params.stamp)).toBeGreaterThan(0)
    expect(inserts[0]!.query).toContain("FROM input('customer String")
    expect(inserts[0]!.dataBytes).toBeGreaterThan(0)
    expect(inserts[0]!.query).toMatch(/FORMAT RowBinary$/)
    expect(inserts[0]!.settings).toMatchObject({ optimize_on_insert: '0' })
    // Rows arrive as RowBinary: no JSON input setting is needed, so nothing newer than ClickHouse 23.8.
    expect(Object.keys(inserts[0]!.settings).filter((k) => k.startsWith('input_format'))).toEqual([])
  })

  it('prints the same invoices as the embedded store', async () => {
    const local = await embedded
    expect(json(local.ingest)).toMatchObject({
      stored: first.stored,
      new_events: first.new_events,
      duplicates: first.duplicates,
    })

    const acme = await onServer(db, ACME)
    expect(json(acme)).toEqual(json(local.acme))
    expect(acme.stdout).toBe(local.acme.stdout)
    expect(json(acme)).toMatchObject({ customer: 'acme', total: '336.12' })

    const all = await onServer(db, ALL)
    expect(all.stdout).toBe(local.all.stdout)
    expect(json(all).invoices.map((i: { customer: string; total: string }) => [i.customer, i.total])).toEqual(
      [
        ['acme', '336.12'],
        ['globex', '3091.24'],
        ['hooli', '0.00'],
        ['initech', '0.11'],
      ],
    )
  })

  it('stores nothing new when the same file is ingested again', async () => {
    const again = json(await onServer(db, ingestArgs()))
    expect(again).toMatchObject({ stored: 4587, new_events: 0 })
    expect(again.run).toBeGreaterThan(first.run)
    expect(again.duplicates).toEqual({ in_input: 30, already_stored: first.new_events })
    // ... and the invoices do not change.
    expect(json(await onServer(db, ACME)).total).toBe('336.12')
  })
})

describe('billing --url when the server fails', () => {
  it('a single 500 on an events INSERT is retried, and every event is stored once', async () => {
    const db = database('retry')
    let failed = 0
    fault = (r) =>
      r.query.includes(`INSERT INTO \`${db}\`.events (`) && failed++ === 0 ? { status: 500 } : 'ok'
    try {
      const first = json(await onServer(db, ingestArgs()))
      expect(failed).toBeGreaterThan(1)
      expect(first).toMatchObject({
        stored: 4587,
        new_events: 4557,
        duplicates: { in_input: 30, already_stored: 0 },
      })
    } finally {
      fault = undefined
    }
  })

  it('a server that keeps failing: the ingest gives up with the attempts and what was stored; a re-run stores everything', async () => {
    const db = database('fault')
    let failed = 0
    fault = (r) => (r.query.includes(`INSERT INTO \`${db}\`.events (`) ? (failed++, { status: 500 }) : 'ok')
    try {
      const r = await onServer(db, [...ingestArgs(), '--retries', '2'])
      expect(r.code).toBe(4) // the store failed
      expect(JSON.parse(r.stdout)).toMatchObject({ error: { exit: 4 } })
      const message = r.stderr.replace(/\s+/g, ' ')
      expect(message).toMatch(
        /ingest failed: gave up after 3 attempts over \d+\.\d s: injected fault: HTTP 500/,
      )
      expect(message).toContain(
        '0 events were confirmed stored before the failure; running the same command again is safe',
      )
      expect(failed).toBe(3)

      const ofRun = (status: string) =>
        server.requests.filter(
          (q) => q.query.includes(`INSERT INTO \`${db}\`.ingest_runs`) && q.params.status === status,
        )
      expect(ofRun('running')).toHaveLength(1)
      expect(ofRun('failed')).toHaveLength(1)
      expect(ofRun('failed')[0]!.params).toMatchObject({ lines: '4587', accepted: '0' })
      expect(ofRun('failed')[0]!.params.run).toBe(ofRun('running')[0]!.params.run)
      expect(ofRun('finished')).toHaveLength(0)
      fault = undefined

      // Nothing of the failed batch was stored: the next run stores every event as new.
      const rerun = json(await onServer(db, ingestArgs()))
      expect(rerun).toMatchObject({
        stored: 4587,
        new_events: 4557,
        duplicates: { in_input: 30, already_stored: 0 },
      })
    } finally {
      fault = undefined
    }
  })
})
