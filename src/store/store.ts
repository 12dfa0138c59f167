// The store: one ClickHouse database, on the embedded engine (`chdb/connection`) or a server (HTTP),
// behind one small surface. The modules of src/store/ own the SQL, one file per purpose (schema,
// writing events, copies of events, usage, run records); they send it through the methods below,
// which retry transient failures on a server. Nothing outside src/store/ sees the client.
import { ClickHouseLogLevel, createClient, parseError, type ClickHouseClient } from '@clickhouse/client'
import type { ClickHouseSettings } from '@clickhouse/client'
import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { setTimeout as sleep } from 'node:timers/promises'
import { openEmbeddedClient } from './embedded.js'
import { checkIdentifier, quoteIdentifier } from './identifiers.js'
import {
  classifyFailure,
  DEFAULT_RETRY_POLICY,
  describeError,
  withRetries,
  type RetryPolicy,
} from './retry.js'
import { httpStatusOf, watchHttpStatuses } from './http-status.js'
import { checkSchema, migrate } from './migrate.js'

export { StoreBusyError } from './embedded.js'

export interface StoreOptions {
  /** ClickHouse server URL; without it, the embedded engine in `dataDir`. */
  url?: string
  dataDir?: string
  database: string
  username?: string
  password?: string
  /**
   * `write` (ingest, load tests) creates the folder and the database and migrates the schema; `read`
   * (invoices, reports) needs them to exist at the current schema, and changes nothing.
   */
  mode: 'read' | 'write'
  /** How long to wait for another process that holds the embedded data folder (ms). */
  lockWaitMs?: number
  /** Told once when this process starts waiting for the data folder. */
  onWait?: (message: string) => void
  /** Server mode: how a statement is retried after a transient failure (default DEFAULT_RETRY_POLICY). */
  retry?: Partial<RetryPolicy>
  /** Server mode: how long one request may take before it is abandoned (and retried), in ms. */
  requestTimeoutMs?: number
}

/** There is no store where the flags point: nothing was ingested there, or a flag is mistyped. */
export class StoreMissingError extends Error {}

/** A statement failed: for good, or after the retries a server is given. `cause` is the last error. */
export class StoreError extends Error {}

export interface Statement {
  params?: Record<string, unknown>
  settings?: ClickHouseSettings
}

/** What the engine reports of a statement that wrote rows. */
export interface WriteSummary {
  writtenRows: number
}

export class Store {
  private constructor(
    readonly kind: 'embedded' | 'server',
    private readonly client: ClickHouseClient,
    readonly database: string,
    /** The embedded engine's folder (embedded only). */
    readonly dataDir: string | undefined,
    private readonly policy: RetryPolicy,
  ) {}

  /** The database, quoted for SQL. */
  get db(): string {
    return quoteIdentifier(this.database)
  }

  static async open(options: StoreOptions): Promise<Store> {
    checkIdentifier(options.database)
    const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry }
    const store = options.url
      ? new Store('server', serverClient(options), options.database, undefined, policy)
      : new Store('embedded', await openEmbeddedClient(options), options.database, options.dataDir, policy)
    try {
      if (options.mode === 'write') await migrate(store)
      else await checkSchema(store, describeLocation(options))
    } catch (e) {
      await store.close()
      throw e
    }
    return store
  }

  /** A statement whose answer is not read (DDL, INSERT ... SELECT). */
  async command(query: string, statement: Statement = {}): Promise<void> {
    await this.commandWithSummary(query, statement)
  }

  /**
   * An INSERT ... SELECT, and how many rows the engine says it wrote. A server's summary says so;
   * the embedded engine's does not, so there it is the engine's own counter of inserted rows before
   * and after (it runs one statement at a time, and only this process uses it).
   */
  async insert(query: string, statement: Statement = {}): Promise<WriteSummary> {
    if (this.kind === 'server') return this.commandWithSummary(query, statement)
    const before = await this.insertedRows()
    await this.commandWithSummary(query, statement)
    return { writtenRows: (await this.insertedRows()) - before }
  }

  private async commandWithSummary(query: string, statement: Statement): Promise<WriteSummary> {
    return this.retried(async (query_id) => {
      const result = await this.client.command({
        query,
        query_id,
        query_params: statement.params,
        clickhouse_settings: statement.settings,
      })
      return { writtenRows: writtenRows(result.summary) }
    })
  }

  private async insertedRows(): Promise<number> {
    const [row] = await this.rows<{ n: string }>(
      `SELECT toString(sum(value)) AS n FROM system.events WHERE event = 'InsertedRows'`,
    )
    return Number(row?.n ?? 0)
  }

  /**
   * The rows of a query, read to the end within each attempt (a late error in the body is retried too).
   * Its settings only make it faster: a read-only user, who may change none, gets the query without them.
   */
  async rows<T>(query: string, statement: Statement = {}): Promise<T[]> {
    return this.read('JSONEachRow', query, statement, (line) => JSON.parse(line) as T)
  }

  /**
   * The rows of a query as arrays, the columns in the order of its SELECT: no column names repeated in
   * every row, for answers of many rows. Read as `rows` is.
   */
  async tuples<T extends unknown[]>(query: string, statement: Statement = {}): Promise<T[]> {
    return this.read('JSONCompactEachRow', query, statement, (line) => JSON.parse(line) as T)
  }

  /**
   * The rows of `tuples`, each still its line of JSON text: for a caller that parses a row only when it
   * needs it, so that a large answer held for a while is a few strings rather than many small objects.
   */
  async lines(query: string, statement: Statement = {}): Promise<string[]> {
    return this.read('JSONCompactEachRow', query, statement, (line) => line)
  }

  /** Each line of the answer (one row), read to the end and parsed within each attempt. */
  private async read<T>(
    format: 'JSONEachRow' | 'JSONCompactEachRow',
    query: string,
    statement: Statement,
    each: (line: string) => T,
  ): Promise<T[]> {
    return this.readOnlyFriendly(statement, (settings) =>
      this.retried(async (query_id) => {
        const rs = await this.client.query({
          query,
          query_id,
          format,
          query_params: statement.params,
          clickhouse_settings: settings,
        })
        return answerLines(await rs.text()).map(each)
      }),
    )
  }

  /** Whether the server lets this user change settings (a readonly = 1 user may not). */
  private settingsAllowed = true

  private async readOnlyFriendly<T>(
    statement: Statement,
    run: (settings: ClickHouseSettings | undefined) => Promise<T>,
  ): Promise<T> {
    const settings = this.settingsAllowed ? statement.settings : undefined
    try {
      return await run(settings)
    } catch (e) {
      if (!settings || !refusedSettings(e)) throw e
      this.settingsAllowed = false
      return run(undefined)
    }
  }

  /**
   * An INSERT whose rows travel in the request body (server mode). `body` makes the same bytes for
   * each attempt; the answer is read to its end within the attempt, since a server that already sent
   * its 200 status writes a late error there.
   */
  async insertBody(query: string, body: () => Readable, statement: Statement = {}): Promise<WriteSummary> {
    return this.retried(async (query_id) => {
      const values = body()
      try {
        const result = await this.client.exec({
          query,
          query_id,
          values,
          query_params: statement.params,
          clickhouse_settings: {
            // A long INSERT sends progress headers, so proxies and load balancers keep it open.
            send_progress_in_http_headers: 1,
            http_headers_progress_interval_ms: '10000',
            ...statement.settings,
          },
        })
        const answer = await text(result.stream)
        // A successful INSERT answers nothing: an exception anywhere in the answer, of any lines, is its error.
        if (/Code: \d+\. DB::Exception/.test(answer)) throw parseError(answer)
        return { writtenRows: writtenRows(result.summary) }
      } finally {
        values.destroy() // an abandoned body closes the files it reads
      }
    })
  }

  async close(): Promise<void> {
    await this.client.close()
  }

  /** Each attempt has its own query id: a server may still be running an abandoned one. */
  private async retried<T>(attempt: (queryId: string) => Promise<T>): Promise<T> {
    try {
      return await this.attempts(attempt)
    } catch (e) {
      throw new StoreError(describeError(e), { cause: e })
    }
  }

  private attempts<T>(attempt: (queryId: string) => Promise<T>): Promise<T> {
    // The embedded engine is in this process: a failure of its own is never worth another attempt.
    if (this.kind === 'embedded') return attempt(randomUUID())
    return withRetries(
      async () => {
        const queryId = randomUUID()
        try {
          return await attempt(queryId)
        } catch (e) {
          throw Object.assign(e as object, { [STATUS]: httpStatusOf(queryId) })
        }
      },
      this.policy,
      (e) => classifyFailure(e, (e as { [STATUS]?: number })[STATUS]),
      { sleep: (ms) => sleep(ms), now: () => Date.now(), random: Math.random },
    )
  }
}

const STATUS = Symbol('httpStatus')

export function openStore(options: StoreOptions): Promise<Store> {
  return Store.open(options)
}

function serverClient(options: StoreOptions): ClickHouseClient {
  watchHttpStatuses()
  return createClient({
    url: options.url,
    username: options.username ?? process.env.CLICKHOUSE_USER ?? 'default',
    password: options.password ?? process.env.CLICKHOUSE_PASSWORD ?? '',
    request_timeout: options.requestTimeoutMs ?? 300_000,
    // Errors reach the caller as exceptions with their message; the client's own log would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
    // No settings here: every one is sent with each request, and a read-only user may not change any.
  })
}

/**
 * The lines of an answer of one JSON value per line. A server that failed after its 200 status ends
 * the body with its exception: that is the statement's error (retried like any other), not rows that
 * do not parse.
 */
function answerLines(body: string): string[] {
  const late = /(?:^|\n)(Code: \d+\. DB::Exception: [^\n]*)\s*$/.exec(body)
  if (late) throw parseError(late[1]!)
  return body.split('\n').filter((line) => line !== '')
}

/** ClickHouse's answer to a read-only user who sent a setting: code 164, "Cannot modify ...". */
function refusedSettings(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/Cannot modify '[^']+' setting in readonly mode/.test(e.message)) return true
  }
  return false
}

function writtenRows(summary: { written_rows?: string } | undefined): number {
  return Number(summary?.written_rows ?? 0)
}

function describeLocation(options: StoreOptions): string {
  return options.url
    ? `database ${options.database} on ${options.url}`
    : `database ${options.database} in the data folder ${options.dataDir ?? './.billing'}`
}
