// One query layer for both stores: `@clickhouse/client`, over HTTP to a server or plugged into the
// embedded engine through `chdb/connection`. Everything above this file is the same code for both.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { processIsAlive } from '../process-alive.js'
import { checkIdentifier, quoteIdentifier } from './identifiers.js'
import { migrate } from './migrate.js'

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
    request_timeout: 300_000,
    // Errors reach the caller as exceptions with their message; the client's own log would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: {
      output_format_json_quote_64bit_integers: 1,
      // Long INSERTs send progress headers, so proxies and load balancers keep the connection open.
      send_progress_in_http_headers: 1,
      http_headers_progress_interval_ms: '10000',
    },
  })
  return wrap('server', client, options.database)
}

async function openEmbedded(options: StoreOptions): Promise<Store> {
  const dataDir = path.resolve(options.dataDir ?? './.billing')
  mkdirSync(dataDir, { recursive: true })
  await waitForFolder(dataDir, options)
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
