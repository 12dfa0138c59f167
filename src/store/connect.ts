// One query layer for both stores: `@clickhouse/client`, over HTTP to a server or plugged into the
// embedded engine through `chdb/connection`. Everything above this file is the same code for both.
import { ClickHouseLogLevel, createClient, parseError, type ClickHouseClient } from '@clickhouse/client'
import { randomUUID } from 'node:crypto'
import { subscribe } from 'node:diagnostics_channel'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import type { ClientRequest, IncomingMessage } from 'node:http'
import path from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { setTimeout as sleep } from 'node:timers/promises'
import { processIsAlive } from '../process-alive.js'
import { checkIdentifier, quoteIdentifier } from './identifiers.js'
import { migrate } from './migrate.js'
import { classifyFailure, DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from './retry.js'

export interface StoreOptions {
  /** ClickHouse server URL; without it, the embedded engine in `dataDir`. */
  url?: string
  dataDir?: string
  database: string
  username?: string
  password?: string
  /** How long to wait for another process that holds the embedded data folder (ms). */
  lockWaitMs?: number
  /** Told once when this process starts waiting for the data folder. */
  onWait?: (message: string) => void
  /** Server mode: how a statement is retried after a transient failure (default DEFAULT_RETRY_POLICY). */
  retry?: Partial<RetryPolicy>
  /** Server mode: how long one request may take before it is abandoned (and retried), in ms. */
  requestTimeoutMs?: number
}

export interface Store {
  kind: 'embedded' | 'server'
  client: ClickHouseClient
  /** The database, quoted for SQL. */
  db: string
  database: string
  /** The embedded engine's folder (embedded only). */
  dataDir?: string
  close(): Promise<void>
}

export class StoreBusyError extends Error {}

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

export async function openStore(options: StoreOptions): Promise<Store> {
  checkIdentifier(options.database)
  const store = options.url ? openServer(options) : await openEmbedded(options)
  await migrate(store)
  return store
}

function openServer(options: StoreOptions): Store {
  const client = createClient({
    url: options.url,
    username: options.username ?? process.env.CLICKHOUSE_USER ?? 'default',
    password: options.password ?? process.env.CLICKHOUSE_PASSWORD ?? '',
    request_timeout: options.requestTimeoutMs ?? 300_000,
    // Errors reach the caller as exceptions with their message; the client's own log would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: {
      output_format_json_quote_64bit_integers: 1,
      // Long INSERTs send progress headers, so proxies and load balancers keep the connection open.
      send_progress_in_http_headers: 1,
      http_headers_progress_interval_ms: '10000',
    },
  })
  return wrap('server', retrying(client, { ...DEFAULT_RETRY_POLICY, ...options.retry }), options.database)
}

async function openEmbedded(options: StoreOptions): Promise<Store> {
  const dataDir = path.resolve(options.dataDir ?? './.billing')
  mkdirSync(dataDir, { recursive: true })
  await waitForFolder(dataDir, options)
  // The engine's allocator (jemalloc inside libchdb) reads JE_MALLOC_CONF once, when the library
  // loads. One arena instead of one per CPU: memory the engine frees is reused rather than kept
  // resident, which took 90-170 MB off ingest's peak here at no measurable cost. A user's own wins.
  process.env.JE_MALLOC_CONF ??= 'narenas:1,percpu_arena:disabled'
  // Loaded lazily: the embedded engine is a 500 MB library that server mode never needs.
  const { createChdbConnection } = await import('chdb/connection')
  const deadline = Date.now() + (options.lockWaitMs ?? 60_000)
  for (;;) {
    try {
      // chdb types its connection against @clickhouse/client-common, which the client bundles its
      // own copy of; the shapes are the same.
      const connection = createChdbConnection({ path: dataDir }) as unknown as ClientConnection
      const client = createClient({ connection })
      return { ...wrap('embedded', client, options.database), dataDir }
    } catch (e) {
      if (!String((e as Error).message).includes('Cannot lock') || Date.now() > deadline) {
        if (String((e as Error).message).includes('Cannot lock')) throw busy(dataDir)
        throw e
      }
      await sleep(250)
    }
  }
}

/**
 * The engine holds a lock on `<dir>/status` and writes its PID there while a process has the folder
 * open. Waiting on that PID first keeps the engine's own "cannot lock" noise off the terminal.
 */
async function waitForFolder(dataDir: string, options: StoreOptions): Promise<void> {
  const deadline = Date.now() + (options.lockWaitMs ?? 60_000)
  let told = false
  for (;;) {
    const holder = holderPid(dataDir)
    if (holder === undefined || holder === process.pid) return
    if (Date.now() >= deadline) throw busy(dataDir, holder)
    if (!told) {
      options.onWait?.(`waiting for process ${holder}, which is using the data folder ${dataDir}`)
      told = true
    }
    await sleep(200)
  }
}

function holderPid(dataDir: string): number | undefined {
  const status = path.join(dataDir, 'status')
  if (!existsSync(status)) return undefined
  const pid = Number(/PID:\s*(\d+)/.exec(readFileSync(status, 'utf8'))?.[1])
  return Number.isInteger(pid) && pid > 0 && processIsAlive(pid) ? pid : undefined
}

function busy(dataDir: string, pid?: number): StoreBusyError {
  const who = pid ? `process ${pid}` : 'another process'
  return new StoreBusyError(
    `the data folder ${dataDir} is in use by ${who}; wait for it to finish (or raise --wait) and run again`,
  )
}

function wrap(kind: Store['kind'], client: ClickHouseClient, database: string): Store {
  return { kind, client, database, db: quoteIdentifier(database), close: () => client.close() }
}

// ---- Retries (server mode) ------------------------------------------------------------------------

const RETRIED = new Set<string | symbol>(['query', 'command', 'exec', 'insert'])
const MAKE_AGAIN = Symbol('makeAgain')

/**
 * The body of an INSERT sent with `exec`: `make` gives the same bytes each time, so that the store can
 * send it again after a transient failure. The store reads the answer, empty on success, to its end
 * within the attempt: a server that already sent its 200 status writes a late error there.
 */
export function insertBody(make: () => Readable): Readable {
  return Object.assign(make(), { [MAKE_AGAIN]: make })
}

/**
 * The client with query, command, exec and insert retried by the policy. Every statement the store
 * sends is idempotent, so a re-send is safe even when the first attempt was applied. Each attempt
 * has its own query id: a server may still be running the abandoned one. Not retried: a stream body
 * that cannot be made again, and a failure while the caller reads a result.
 */
function retrying(client: ClickHouseClient, policy: RetryPolicy): ClickHouseClient {
  watchStatuses()
  return new Proxy(client, {
    get(target, name) {
      const member = Reflect.get(target, name, target) as unknown
      if (typeof member !== 'function') return member
      const call = (params: object) => (member as (p: object) => Promise<unknown>).call(target, params)
      if (!RETRIED.has(name)) return member.bind(target)
      return (params: { values?: unknown }) => {
        const { values } = params
        const again = (values as { [MAKE_AGAIN]?: () => Readable } | undefined)?.[MAKE_AGAIN]
        if (values instanceof Readable && !again) return call(params)
        let status: number | undefined
        const attempt = async (n: number) => {
          const query_id = randomUUID()
          const body = n > 1 && again ? again() : values
          statuses.set(query_id, undefined)
          try {
            const result = await call({
              ...params,
              ...(body === undefined ? {} : { values: body }),
              query_id,
            })
            return again ? await readInsertAnswer(result as { stream: Readable }) : result
          } catch (e) {
            status = statuses.get(query_id)
            if (body instanceof Readable) body.destroy() // an abandoned body closes the files it reads
            throw e
          } finally {
            statuses.delete(query_id)
          }
        }
        return withRetries(attempt, policy, (e) => classifyFailure(e, status), {
          sleep: (ms) => sleep(ms),
          now: () => Date.now(),
          random: Math.random,
        })
      }
    },
  })
}

async function readInsertAnswer<R extends { stream: Readable }>(result: R): Promise<R> {
  const answer = await text(result.stream)
  if (/Code: \d+\. DB::Exception/.test(answer)) throw parseError(answer)
  return { ...result, stream: Readable.from([]) }
}

/**
 * HTTP status of the answer to each request in flight, by query id. The client's errors do not carry
 * it, and it tells a 4xx (never retried) from a 5xx; Node publishes every HTTP response on this channel.
 */
const statuses = new Map<string, number | undefined>()
let watching = false

function watchStatuses(): void {
  if (watching) return
  watching = true
  subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage }
    const id = new URLSearchParams(request.path.split('?')[1] ?? '').get('query_id')
    if (id !== null && statuses.has(id)) statuses.set(id, response.statusCode)
  })
}
