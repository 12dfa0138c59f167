// A stand-in for a ClickHouse server in tests: enough of the HTTP interface for @clickhouse/client
// (and so for `billing --url`), answered by the embedded engine (chdb) in this process.
//
// What it does as a server would: the query in the URL or the body, `param_*` bound by the
// placeholders' types (see clickhouse-params.ts), `database`, `default_format`, settings as URL
// params (applied per request, then reset: nothing leaks into the next request), INSERT data in the
// body, `input()` in INSERT ... SELECT, one statement per request, X-ClickHouse-* headers, errors as
// `Code: N. DB::Exception: ...` with ClickHouse's own status for the code (400, 404, else 500).
// Where chDB differs: inline INSERT data goes through chdb's raw insert (the engine would otherwise
// read the process's stdin), `input('<structure>')` is read from a temp file through `file()`, and
// the summary's counts are what chdb reports (written rows: the engine's own counter). Queries run
// one at a time (one engine per process).
import { Session } from 'chdb'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { gunzipSync, gzipSync } from 'node:zlib'
import { decodeParams } from './clickhouse-params.js'
import {
  clickhouseError,
  contentType,
  countRows,
  errorResponse,
  hasSeveralStatements,
  isSetting,
  NO_ROWS,
  parseMultipart,
  readBody,
  settingValues,
  sqlString,
  summaryHeader,
  type Summary,
} from './clickhouse-protocol.js'

export interface RecordedRequest {
  method: string
  /** `/` or `/ping`. */
  path: string
  /** The SQL, without the INSERT data that followed it ('' for a ping). */
  query: string
  queryId: string
  /** `param_*` values as sent, without the prefix. */
  params: Record<string, string>
  settings: Record<string, string>
  /** Bytes of INSERT data in the body. */
  dataBytes: number
  /** The HTTP status sent; 'reset' when the connection was dropped; 0 while running. */
  status: number | 'reset'
}

/** What a fault hook decides for one request (before it runs); `undefined` means 'ok'. */
export type Fault = 'ok' | 'reset' | { status: number; body?: string } | { delayMs: number }
export type FaultHook = (request: Readonly<RecordedRequest> & { index: number }) => Fault | undefined

export interface ClickHouseHttpOptions {
  /** The engine's data folder (one per process). */
  dataDir: string
  faults?: FaultHook
  /**
   * As for a user with readonly = 1: only reading statements, and no setting may be changed
   * (ClickHouse answers code 164, READONLY).
   */
  readonly?: boolean
}

export interface ClickHouseHttp {
  url: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

/** The formats chdb's raw insert takes (it refuses others). */
const RAW_INSERT_FORMATS =
  /^(JSONEachRow|JSONCompactEachRow|TSV|TabSeparated|CSV|(TSV|TabSeparated|CSV)WithNames)$/
const FORMAT_TAIL = /\s+FORMAT\s+(\w+)\s*;?\s*$/i
const INSERT_DATA =
  /^\s*INSERT\s+INTO\s+(?:TABLE\s+)?((?:`[^`]+`|\w+)(?:\.(?:`[^`]+`|\w+))?)\s*(?:\(([^)]*)\))?\s*FORMAT\s+(\w+)\s*$/is
const INPUT_CALL = /\binput\s*\(\s*('(?:[^'\\]|\\.)*')\s*\)/i

interface Request {
  sql: string
  data?: Buffer
  params: Record<string, string>
  settings: Record<string, string>
  database?: string
  defaultFormat?: string
}
interface Result {
  body: Uint8Array
  format: string
  summary: Summary
}

const READING = /^\s*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXISTS|EXPLAIN)\b/i

/** A read-only user's limits (readonly = 1): no write, and no setting changed. */
function refuseWrites(q: Request): void {
  const changed = Object.keys(q.settings).filter((k) => k !== 'readonly')
  if (changed.length > 0) {
    throw clickhouseError(164, 'READONLY', `Cannot modify '${changed[0]}' setting in readonly mode`)
  }
  if (!READING.test(q.sql)) throw clickhouseError(164, 'READONLY', 'Cannot execute query in readonly mode')
}

/** A request as read off the wire: what is recorded of it, and what would run. */
interface Incoming {
  path: string
  queryId: string
  isPing: boolean
  /** Whether to gzip the response: asked for by both the setting and Accept-Encoding. */
  gzip: boolean
  request: Request
}

/** The query from the URL, the body or a multipart form; the rest of the body is the INSERT data. */
async function parseRequest(req: IncomingMessage): Promise<Incoming> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  let body = await readBody(req)
  if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
  const search = new Map(url.searchParams)
  const multipart = /boundary=(.+)$/.exec(req.headers['content-type'] ?? '')?.[1]
  if (multipart) for (const [k, v] of parseMultipart(body, multipart)) search.set(k, v)
  let sql = search.get('query') ?? ''
  let data: Buffer | undefined
  if (multipart) {
    // the query and its params came in the body
  } else if (!sql) sql = body.toString('utf8')
  else if (/^\s*INSERT\b/i.test(sql) && (FORMAT_TAIL.test(sql) || INPUT_CALL.test(sql))) data = body
  else if (body.length > 0) sql = `${sql}\n${body.toString('utf8')}`
  const params: Record<string, string> = {}
  const settings: Record<string, string> = {}
  for (const [k, v] of search) {
    if (k.startsWith('param_')) params[k.slice(6)] = v
    else if (isSetting(k)) settings[k] = v
  }
  return {
    path: url.pathname,
    queryId: search.get('query_id') || randomUUID(),
    isPing: url.pathname === '/ping' || (url.pathname === '/' && !sql),
    gzip:
      search.get('enable_http_compression') === '1' && /\bgzip\b/.test(req.headers['accept-encoding'] ?? ''),
    request: {
      sql,
      data,
      params,
      settings,
      database: search.get('database'),
      defaultFormat: search.get('default_format'),
    },
  }
}

type Send = (status: number, payload: Uint8Array | string, headers?: Record<string, string>) => void

/** Sends one response, and records its status in the request's entry. */
function responder(res: ServerResponse, entry: RecordedRequest, gzip: boolean): Send {
  return (status, payload, headers = {}) => {
    entry.status = status
    let bytes = Buffer.from(payload)
    if (gzip) {
      bytes = gzipSync(bytes)
      headers['Content-Encoding'] = 'gzip'
    }
    res.writeHead(status, {
      'X-ClickHouse-Query-Id': entry.queryId,
      'X-ClickHouse-Timezone': 'UTC',
      ...headers,
    })
    res.end(bytes)
  }
}

/** The server: the engine's session, a temp folder for input() data, the request log and the queue. */
class StandInServer {
  readonly requests: RecordedRequest[] = []
  /** The last statement queued: the next one starts when it ends. */
  private queue: Promise<unknown> = Promise.resolve()
  /** Numbers the input() files. */
  private files = 0
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((e: Error) => {
      if (!res.headersSent)
        res.writeHead(500).end(`Code: 1001. DB::Exception: ${e.message}. (STD_EXCEPTION)\n`)
    })
  })

  private constructor(
    private readonly options: ClickHouseHttpOptions,
    private readonly session: Session,
    private readonly tmp: string,
    /** The settings the engine has: only these can be reset after a request. */
    private readonly knownSettings: Set<string>,
    private readonly serverVersion: string,
  ) {}

  static async open(options: ClickHouseHttpOptions): Promise<StandInServer> {
    const session = new Session(options.dataDir)
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'clickhouse-http-'))
    const knownSettings = new Set(
      (await session.queryAsync('SELECT name FROM system.settings', { format: 'TSV' })).text().split('\n'),
    )
    const serverVersion = (await session.queryAsync('SELECT version()', { format: 'TSV' })).text().trim()
    // chDB turns this on (a bare `1 + 1` runs as a SELECT); a server does not.
    await session.queryAsync('SET implicit_select = 0')
    return new StandInServer(options, session, tmp, knownSettings, serverVersion)
  }

  /** Listens on a free local port; returns the server's URL. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    const { port } = this.server.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
    await this.queue
    this.session.close()
    rmSync(this.tmp, { recursive: true, force: true })
  }

  /** Records the request, then lets the fault hook decide (before anything runs) how it goes. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const incoming = await parseRequest(req)
    const { request } = incoming
    const entry: RecordedRequest = {
      method: req.method ?? 'GET',
      path: incoming.path,
      query: incoming.isPing ? '' : request.sql,
      queryId: incoming.queryId,
      params: request.params,
      settings: request.settings,
      dataBytes: request.data?.length ?? 0,
      status: 0,
    }
    this.requests.push(entry)
    const send = responder(res, entry, incoming.gzip)
    const fault = this.options.faults?.({ ...entry, index: this.requests.length - 1 }) ?? 'ok'
    if (fault === 'reset') {
      entry.status = 'reset'
      req.socket.destroy()
      return
    }
    if (typeof fault === 'object' && 'delayMs' in fault) await sleep(fault.delayMs)
    if (typeof fault === 'object' && 'status' in fault) {
      return send(fault.status, fault.body ?? `injected fault: HTTP ${fault.status}\n`, {
        'Content-Type': 'text/plain',
      })
    }
    return this.answer(incoming, send)
  }

  /** A ping, a 404, or the statement's result (with its summary) or error. */
  private async answer(incoming: Incoming, send: Send): Promise<void> {
    if (incoming.path !== '/' && incoming.path !== '/ping') return send(404, 'There is no handle\n')
    if (incoming.isPing) return send(200, 'Ok.\n', { 'Content-Type': 'text/html; charset=UTF-8' })
    try {
      const result = await this.serialized(() => this.execute(incoming.request))
      send(200, result.body, {
        'Content-Type': contentType(result.format),
        'X-ClickHouse-Format': result.format,
        'X-ClickHouse-Summary': summaryHeader(result.summary),
      })
    } catch (e) {
      const { status, code, body } = errorResponse(e, this.serverVersion)
      send(status, body, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': code })
    }
  }

  /** One statement at a time, in arrival order. */
  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task)
    this.queue = run.catch(() => {})
    return run
  }

  /** One statement: a query, an INSERT ... SELECT from input(), or an INSERT with its data. */
  private async execute(q: Request): Promise<Result> {
    if (this.options.readonly) refuseWrites(q)
    if (hasSeveralStatements(q.sql)) {
      throw clickhouseError(62, 'SYNTAX_ERROR', 'Syntax error (Multi-statements are not allowed)')
    }
    const format = FORMAT_TAIL.exec(q.sql)?.[1] ?? q.defaultFormat ?? 'TabSeparated'
    if (q.data === undefined) return this.runSql(q.sql, q, format)
    const input = INPUT_CALL.exec(q.sql)
    if (input) return this.insertFromInput(q, q.data, input, format)
    return this.rawInsert(q, q.data, format)
  }

  private async insertFromInput(
    q: Request,
    data: Buffer,
    input: RegExpExecArray,
    format: string,
  ): Promise<Result> {
    // chDB cannot read input() from a request body: the body becomes a file the SELECT reads.
    const file = path.join(this.tmp, `input-${++this.files}.data`)
    writeFileSync(file, data)
    try {
      const sql = q.sql
        .replace(FORMAT_TAIL, '')
        .replace(input[0], `file('${file}', '${format}', ${input[1]})`)
      return await this.runSql(sql, q, 'TabSeparated')
    } finally {
      rmSync(file, { force: true })
    }
  }

  /** INSERT ... FORMAT with the data in the body, through chdb's raw insert. */
  private async rawInsert(q: Request, data: Buffer, format: string): Promise<Result> {
    const m = INSERT_DATA.exec(q.sql)
    if (!m || !RAW_INSERT_FORMATS.test(m[3]!)) {
      throw clickhouseError(
        48,
        'NOT_IMPLEMENTED',
        `the test server cannot run this INSERT with data: ${q.sql}`,
      )
    }
    if (data.toString('utf8').trim() === '') return { body: new Uint8Array(), format, summary: NO_ROWS }
    const unquote = (s: string) => s.trim().replace(/^`(.*)`$/, '$1')
    const table = m[1]!.split('.').map(unquote)
    if (table.length === 1 && q.database) table.unshift(q.database)
    const written = await this.session.insert({
      table: table.join('.'),
      columns: m[2]?.split(',').map(unquote),
      values: data,
      format: m[3] as 'JSONEachRow',
      settings: settingValues(q.settings),
    })
    return {
      body: new Uint8Array(),
      format,
      summary: {
        ...NO_ROWS,
        written_rows: written.rowsWritten,
        written_bytes: written.bytesWritten,
        elapsed: written.elapsed,
      },
    }
  }

  /** The statement with the request's settings and database, which are reset afterwards. */
  private async runSql(sql: string, q: Request, format: string): Promise<Result> {
    const setup = Object.entries(settingValues(q.settings)).map(
      ([k, v]) => `SET ${k} = ${typeof v === 'number' ? v : sqlString(v)}`,
    )
    if (q.database) setup.push(`USE \`${q.database.replace(/`/g, '\\`')}\``)
    const full = [...setup, sql].join(';\n')
    try {
      // chDB does not tell the rows an INSERT wrote; the engine's counter does (one statement at a time).
      const insert = /^\s*INSERT\b/i.test(sql)
      const before = insert ? await this.insertedRows() : 0
      const r = Object.keys(q.params).length
        ? await this.session.queryBindAsync(full, decodeParams(sql, q.params), { format })
        : await this.session.queryAsync(full, { format })
      const body = r.bytes()
      const summary = {
        read_rows: r.rowsRead,
        read_bytes: r.bytesRead,
        written_rows: insert ? (await this.insertedRows()) - before : 0,
        result_rows: countRows(body, format),
        result_bytes: body.length,
      }
      return { body, format, summary: { ...NO_ROWS, ...summary, elapsed: r.elapsed } }
    } finally {
      const reset = Object.keys(q.settings)
        .filter((k) => this.knownSettings.has(k))
        .map((k) => `SET ${k} = DEFAULT`)
      if (q.database) reset.push('USE default')
      if (reset.length) await this.session.queryAsync(reset.join(';\n')).catch(() => {})
    }
  }

  private async insertedRows(): Promise<number> {
    const r = await this.session.queryAsync(
      `SELECT sum(value) FROM system.events WHERE event = 'InsertedRows'`,
      { format: 'TSV' },
    )
    return Number(r.text().trim() || 0)
  }
}

export async function startClickHouseHttp(options: ClickHouseHttpOptions): Promise<ClickHouseHttp> {
  const server = await StandInServer.open(options)
  const url = await server.listen()
  return { url, requests: server.requests, close: () => server.close() }
}
