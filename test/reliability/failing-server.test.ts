// Server mode against a ClickHouse HTTP endpoint that misbehaves: refused connections, 5xx answers,
// a 200 whose body ends in an error, answers slower than the request timeout, connections dropped
// before or after the server applied the INSERT. Retries (src/store/retry.ts) and idempotent re-sends
// must leave exactly one copy of every event, and the same invoices as a clean run; when the server
// stays down, ingest fails saying how many attempts it made and what was stored.
// The endpoint is the test server (test/support/clickhouse-http.ts) behind a small HTTP proxy that can
// refuse connections or drop one after the server answered. Runs dist/: build first.
import { execFile } from 'node:child_process'
import { createServer, request, type IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingest, type IngestSummary } from '../../src/ingest/ingest.js'
import { loadCatalog } from '../../src/plans/load.js'
import type { Catalog } from '../../src/plans/types.js'
import { invoiceJson } from '../../src/render/invoice.js'
import { openStore, type Store } from '../../src/store/store.js'
import { startClickHouseHttp, type ClickHouseHttp, type FaultHook } from '../support/clickhouse-http.js'
import { removeTempDirs, tempDir, uniqueDatabase } from '../support/events.js'
import { allInvoices } from '../support/usage.js'

const root = path.resolve(import.meta.dirname, '../..')
const EVENTS = path.join(root, 'plans/events.ndjson')
const period = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }
const FAST = { attempts: 5, initialDelayMs: 10, maxDelayMs: 100, maxElapsedMs: 20_000 }

let dir = ''
let server: ClickHouseHttp
let fault: FaultHook | undefined
let proxy: Awaited<ReturnType<typeof startProxy>>
let catalog: Catalog
let clean: Outcome

/**
 * An HTTP proxy in front of the test server. `decide` may drop a connection once the server answered,
 * or refuse it and then every connection for a while, as a server that restarts.
 */
async function startProxy(target: string) {
  const sockets = new Set<Socket>()
  const proxy = {
    url: '',
    decide: (_req: IncomingMessage): 'forward' | 'drop-after-answer' | 'restart' => 'forward',
    restartMs: 150,
    close: () => new Promise((resolve) => (http.close(resolve), http.closeAllConnections())),
  }
  const restart = async () => {
    const closed = new Promise((resolve) => http.close(resolve))
    for (const s of sockets) s.destroy()
    await closed
    await sleep(proxy.restartMs)
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve))
  }
  const http = createServer((req, res) => {
    const decision = proxy.decide(req)
    if (decision === 'restart') return void restart()
    const upstream = request(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        if (decision === 'drop-after-answer')
          return void answer.resume().on('end', () => req.socket.destroy())
        res.writeHead(answer.statusCode!, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => req.socket.destroy())
    req.pipe(upstream)
  })
  http.on('connection', (s: Socket) => sockets.add(s.on('close', () => sockets.delete(s))))
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  proxy.url = `http://127.0.0.1:${port}`
  return proxy
}

const setting = (r: { settings: Record<string, string> }) => r.settings.insert_deduplication_token
const isInsertInto = (db: string) => (r: { query: string }) =>
  r.query.startsWith(`INSERT INTO \`${db}\`.events (`)
const isEventsInsert = (req: IncomingMessage) =>
  /^INSERT INTO `\w+`\.events /.test(new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '')

interface Outcome {
  summary: IngestSummary
  /** Rows before de-duplication (merges are stopped), and events after. */
  rows: number
  events: number
  invoices: unknown[]
}

/** Ingests the example events into a fresh database through the proxy, with small batches. */
async function run(
  options: { dedupWindow?: boolean; requestTimeoutMs?: number; attempts?: number } = {},
  db = uniqueDatabase('f'),
): Promise<Outcome> {
  const retry = { ...FAST, attempts: options.attempts ?? FAST.attempts }
  const store = await openStore({
    mode: 'write',
    url: proxy.url,
    database: db,
    retry,
    requestTimeoutMs: options.requestTimeoutMs,
  })
  try {
    await store.command(`SYSTEM STOP MERGES ${store.db}.events`)
    if (options.dedupWindow)
      await store.command(
        `ALTER TABLE ${store.db}.events MODIFY SETTING non_replicated_deduplication_window = 1000`,
      )
    const summary = await ingest(store, {
      sources: [EVENTS],
      rejectsPath: path.join(dir, `${db}.rejects`),
      workers: 1,
      chunkBytes: 64 << 10,
      batchBytes: 64 << 10,
    })
    return { ...(await outcome(store)), summary }
  } finally {
    await store.close()
  }
}

async function outcome(store: Store): Promise<Omit<Outcome, 'summary'>> {
  // A request the client gave up on may still be running on the server: wait for it to finish.
  while (server.requests.some((r) => r.status === 0)) await sleep(20)
  const count = async (final: string) => {
    const rows = await store.rows<{ n: string }>(
      `SELECT toString(count()) AS n FROM ${store.db}.events ${final}`,
    )
    return Number(rows[0]!.n)
  }
  const invoices = (await allInvoices(store, catalog, { period })).invoices.map((r) => invoiceJson(r.invoice))
  return { rows: await count(''), events: await count('FINAL'), invoices }
}

beforeAll(async () => {
  dir = tempDir('failing-server')
  server = await startClickHouseHttp({ dataDir: path.join(dir, 'data'), faults: (r) => fault?.(r) })
  proxy = await startProxy(server.url)
  catalog = await loadCatalog(path.join(root, 'plans'))
  clean = await run()
})
afterAll(async () => {
  await proxy?.close()
  await server?.close()
  removeTempDirs()
})

async function withFault<T>(hook: FaultHook, body: () => Promise<T>): Promise<T> {
  fault = hook
  try {
    return await body()
  } finally {
    fault = undefined
  }
}

async function withProxy<T>(decide: typeof proxy.decide, body: () => Promise<T>): Promise<T> {
  proxy.decide = decide
  try {
    return await body()
  } finally {
    proxy.decide = () => 'forward'
  }
}

/** The same events and invoices as the clean run: every event stored once, and billed once. */
function expectSameAsClean(o: Outcome, rows: 'exact' | 'copies allowed') {
  expect(o.summary).toMatchObject({ accepted: 4587, newEvents: 4557, rejected: 0 })
  expect(o.events).toBe(clean.events)
  if (rows === 'exact') expect(o.rows).toBe(clean.rows)
  else expect(o.rows).toBeGreaterThanOrEqual(clean.rows)
  expect(o.invoices).toEqual(clean.invoices)
}

describe('a clean run', () => {
  it('stores the example events in several INSERTs', () => {
    expect(clean).toMatchObject({ rows: 4587, events: 4557 })
    expect(clean.summary.accepted).toBe(4587)
    expect(server.requests.filter((r) => r.query.includes('.events (customer')).length).toBeGreaterThan(5)
  })
})

describe('transient failures are retried until every event is stored once', () => {
  it('survives a 503 on the first attempt of every statement: INSERTs, migrations, run records, counts', async () => {
    const seen = new Set<string>()
    let inserts = 0
    const firstFails: FaultHook = (r) => {
      if (r.query.includes('.events (customer')) return inserts++ % 2 === 0 ? { status: 503 } : 'ok'
      return seen.has(r.query) ? 'ok' : (seen.add(r.query), { status: 503 })
    }
    expectSameAsClean(await withFault(firstFails, () => run()), 'exact')
    expect(seen.size).toBeGreaterThan(8)
    expect(inserts).toBeGreaterThan(10)
  })

  it('re-sends an INSERT whose 200 answer ends in an error (written after the progress headers)', async () => {
    const db = uniqueDatabase('late')
    let failed = 0
    const late = 'Code: 241. DB::Exception: Memory limit (total) exceeded. (MEMORY_LIMIT_EXCEEDED)\n'
    const o = await withFault(
      (r) => (isInsertInto(db)(r) && failed++ < 3 ? { status: 200, body: late } : 'ok'),
      () => run({}, db),
    )
    expectSameAsClean(o, 'exact')
  })

  it('re-reads a query whose 200 answer ends in an error, and reads carry no progress headers setting', async () => {
    const db = uniqueDatabase('lateread')
    await run({}, db)
    let failed = 0
    const late =
      '{"customer":"acme"}\nCode: 209. DB::Exception: Timeout exceeded while reading from socket. (SOCKET_TIMEOUT)\n'
    const isUsage = (r: { query: string }) =>
      r.query.includes(`\`${db}\`.events FINAL`) && r.query.includes('AS piece')
    const store = await openStore({ mode: 'read', url: server.url, database: db, retry: FAST })
    try {
      const invoices = await withFault(
        (r) => (isUsage(r) && failed++ === 0 ? { status: 200, body: late } : 'ok'),
        () => allInvoices(store, catalog, { period }),
      )
      // Each usage query (the page's, and the carry-in's) once, and the first, whose answer failed
      // late, once more.
      const usage = new Set(server.requests.filter(isUsage).map((r) => r.query))
      expect(usage.size).toBeGreaterThan(0)
      expect(failed).toBe(usage.size + 1)
      expect(invoices.invoices.map((r) => invoiceJson(r.invoice))).toEqual(clean.invoices)
      const reads = server.requests.filter(
        (r) => r.query.includes(`\`${db}\``) && /^\s*(SELECT|WITH)/.test(r.query),
      )
      expect(reads.length).toBeGreaterThan(0)
      expect(reads.every((r) => !('send_progress_in_http_headers' in r.settings))).toBe(true)
    } finally {
      await store.close()
    }
  })

  it('re-sends an INSERT whose connection was dropped before the server applied it', async () => {
    const db = uniqueDatabase('reset')
    let inserts = 0
    const o = await withFault(
      (r) => (isInsertInto(db)(r) && inserts++ % 2 === 0 ? 'reset' : 'ok'),
      () => run({}, db),
    )
    expectSameAsClean(o, 'exact')
    expect(server.requests.filter((r) => isInsertInto(db)(r) && r.status === 'reset')).toHaveLength(
      inserts / 2,
    )
  })

  it.each([
    ['is kept once by FINAL', false],
    ['is dropped by a server that de-duplicates inserts (the token)', true],
  ])('an INSERT dropped after the server applied it, then re-sent, %s', async (_, dedupWindow) => {
    let inserts = 0
    // Odd INSERTs are first attempts (dropped), even ones their re-sends.
    const o = await withProxy(
      (req) => (isEventsInsert(req) && inserts++ % 2 === 0 ? 'drop-after-answer' : 'forward'),
      () => run({ dedupWindow }),
    )
    expect(inserts).toBeGreaterThan(10)
    expectSameAsClean(o, dedupWindow ? 'exact' : 'copies allowed')
    // Without de-duplication on insert, every batch is there twice, with the same key and version.
    if (!dedupWindow) expect(o.rows).toBe(2 * clean.rows)
  })

  it('re-sends an INSERT that outlived the request timeout; the late first copy changes nothing', async () => {
    const db = uniqueDatabase('slow')
    let delayed = 0
    const o = await withFault(
      (r) => (isInsertInto(db)(r) && delayed++ < 2 ? { delayMs: 1500 } : 'ok'),
      () => run({ requestTimeoutMs: 500, dedupWindow: true }, db),
    )
    expectSameAsClean(o, 'exact')
    const inserts = server.requests.filter(isInsertInto(db))
    expect(inserts.length).toBe(new Set(inserts.map(setting)).size + 2)
  })

  it('waits for a server that restarts: the connection drops, then connections are refused', async () => {
    let restarts = 0
    const o = await withProxy(
      (req) => (isEventsInsert(req) && restarts++ === 1 ? 'restart' : 'forward'),
      () => run({ attempts: 10 }),
    )
    expectSameAsClean(o, 'exact')
    expect(restarts).toBeGreaterThan(2)
  })
})

describe('failures that retrying cannot fix', () => {
  it('does not retry an error in the statement itself', async () => {
    const db = uniqueDatabase('perm')
    const missing = 'Code: 60. DB::Exception: Table x.events does not exist. (UNKNOWN_TABLE)\n'
    const error = await withFault(
      (r) => (isInsertInto(db)(r) ? { status: 404, body: missing } : 'ok'),
      () => run({}, db).catch((e: Error) => e),
    )
    expect((error as Error).message).toMatch(/^ingest failed: Table x.events does not exist/)
    expect(server.requests.filter(isInsertInto(db))).toHaveLength(1)
  })

  it('fails when the server stays down, saying how many attempts over how long and what was stored', async () => {
    const db = uniqueDatabase('down')
    let inserts = 0
    // Two INSERTs of events go through, then every request for this database gets a 503.
    const downAfterTwo: FaultHook = (r) =>
      !r.query.includes(`\`${db}\``) || (inserts < 2 && (!isInsertInto(db)(r) || ++inserts))
        ? 'ok'
        : { status: 503 }
    const error = await withFault(downAfterTwo, () => run({}, db).catch((e: Error) => e))
    const [first, second] = String((error as Error).message).split('\n')
    expect(first).toMatch(
      /^ingest failed: gave up after 5 attempts over \d+\.\d s: injected fault: HTTP 503$/,
    )
    const what =
      /^(\d+) events were confirmed stored before the failure; running the same command again is safe/
    const confirmed = Number(what.exec(second!)?.[1])
    expect(confirmed).toBeGreaterThan(0)

    // What it said was stored is what the server has; running it again stores the rest, once.
    const store = await openStore({ mode: 'write', url: server.url, database: db })
    try {
      const before = await outcome(store)
      expect(before.rows).toBe(confirmed)
      const again = await ingest(store, {
        sources: [EVENTS],
        rejectsPath: path.join(dir, 'again.rejects'),
        workers: 1,
      })
      expect(again.newEvents).toBe(clean.events - before.events)
      expect(await outcome(store)).toMatchObject({ events: clean.events, invoices: clean.invoices })
    } finally {
      await store.close()
    }
  })

  it('billing ingest --url on a server that is down fails with the attempts and the last error', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo
        s.close(() => resolve(port))
      })
    })
    const bin = path.join(root, 'bin/run.js')
    const args = [
      bin,
      'ingest',
      EVENTS,
      '--url',
      `http://127.0.0.1:${closed}`,
      '--database',
      'down',
      '--json',
    ]
    const env: NodeJS.ProcessEnv = { ...process.env, BILLING_RETRIES: '' }
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, args, { env }, (e, stdout, stderr) =>
        resolve({ code: e ? Number(e.code) : 0, stdout, stderr }),
      ),
    )
    expect(r.code).toBe(4) // the store failed
    // --json: the failure is one JSON document on stdout, and a line on stderr for people.
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { exit: 4 } })
    expect(JSON.parse(r.stdout).error.message).toMatch(/gave up after 6 attempts/)
    expect(r.stderr.replace(/\s+/g, ' ')).toMatch(
      /gave up after 6 attempts over \d+\.\d s: connect ECONNREFUSED 127\.0\.0\.1:\d+/,
    )
  })
})
