// The test server itself (test/support/clickhouse-http.ts), driven by @clickhouse/client as the CLI
// drives it, and by plain fetch where the HTTP details matter. Binding is checked differentially:
// the same queries through the engine plugged in directly (`chdb/connection`, as the embedded store
// does) must give the same rows.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  startClickHouseHttp,
  type ClickHouseHttp,
  type Fault,
  type RecordedRequest,
} from '../support/clickhouse-http.js'

let dir: string
let server: ClickHouseHttp
let client: ClickHouseClient
let embedded: ClickHouseClient
let fault: ((r: RecordedRequest) => Fault | undefined) | undefined
/** Failures are what these tests are about: keep the client from logging each one. */
const quiet = { log: { level: ClickHouseLogLevel.OFF } }

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'clickhouse-http-test-'))
  server = await startClickHouseHttp({ dataDir: dir, faults: (r) => fault?.(r) })
  client = createClient({ url: server.url, ...quiet })
  const connection = createChdbConnection({ path: dir }) as unknown as NonNullable<
    Parameters<typeof createClient>[0]
  >['connection']
  embedded = createClient({ connection, ...quiet })
  await client.command({ query: 'CREATE DATABASE IF NOT EXISTS t' })
  await client.command({
    query: `CREATE TABLE t.rows (id UInt32, name String, tags Array(String), at DateTime64(3, 'UTC') DEFAULT now64(3))
            ENGINE = MergeTree ORDER BY id`,
  })
})

afterAll(async () => {
  await client?.close()
  await embedded?.close()
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

const lastRequest = () => server.requests.at(-1)!

async function rows<T = Record<string, unknown>>(
  c: ClickHouseClient,
  query: string,
  query_params?: Record<string, unknown>,
) {
  return (await (await c.query({ query, query_params, format: 'JSONEachRow' })).json()) as T[]
}

describe('query parameters', () => {
  const awkward = ["it's", 'back\\slash', 'tab\there', 'new\nline', '', '[not, an array]', 'ünïcødé']
  const cases: [string, string, unknown][] = [
    ['String', 'String', "it's a \\ back\tslash\nand more"],
    ['UInt32', 'UInt32', 4_000_000_000],
    ['UInt64 beyond 2^53', 'UInt64', 18446744073709551615n],
    ['Bool', 'Bool', true],
    ['DateTime64 text', "DateTime64(3, 'UTC')", '2026-10-01 00:00:00.123'],
    ['Array(String)', 'Array(String)', awkward],
    ['Array(Array(String))', 'Array(Array(String))', [[], awkward, ['x'], []]],
    ['empty Array(String)', 'Array(String)', []],
    ['Array(UInt32)', 'Array(UInt32)', [1, 2, 4_000_000_000]],
    ['Nullable(String) null', 'Nullable(String)', null],
    ['Map(String, String)', 'Map(String, String)', { "k'1": 'v\\1', k2: '' }],
  ]
  it.each(cases)('%s binds as it does in the embedded engine', async (_, type, value) => {
    const query = `SELECT {v:${type}} AS v, toTypeName(v) AS t`
    const viaHttp = await rows(client, query, { v: value })
    expect(viaHttp).toEqual(await rows(embedded, query, { v: value }))
    expect(viaHttp[0]!.t).toBe(type)
  })

  it('binds a Date to DateTime64 with its milliseconds (chdb/connection drops them: never bind Dates)', async () => {
    const query = "SELECT {v:DateTime64(3, 'UTC')} AS v"
    const v = new Date('2026-10-01T12:34:56.789Z')
    expect(await rows(client, query, { v })).toEqual([{ v: '2026-10-01 12:34:56.789' }])
    expect(lastRequest().params.v).toBe('1790858096.789')
    expect(await rows(embedded, query, { v })).toEqual([{ v: '2026-10-01 12:34:56.000' }])
  })

  it('binds the nested arrays the usage query uses, and ignores unused (undefined) params', async () => {
    const query = `SELECT arrayMap(i -> {group_by:Array(Array(String))}[i], range(1, length({codes:Array(String)}) + 1)) AS g,
                          {filter_measures:Array(UInt32)} AS fm, {from:DateTime64(3, 'UTC')} AS f`
    const params = {
      codes: ['a', 'b'],
      group_by: [['region'], []],
      filter_measures: [],
      from: '2026-10-01 00:00:00.000',
      customer: undefined,
    }
    const got = await rows(client, query, params)
    expect(got).toEqual(await rows(embedded, query, params))
    expect(got[0]).toMatchObject({ g: [['region'], []], fm: [] })
    expect(lastRequest().params).toMatchObject({
      codes: "['a','b']",
      group_by: "[['region'],[]]",
      customer: '\\N',
    })
  })

  it('refuses a malformed value the way a server does', async () => {
    const r = await fetch(`${server.url}/?param_v=${encodeURIComponent("['a'")}`, {
      method: 'POST',
      body: 'SELECT {v:Array(String)}',
    })
    expect(r.status).toBe(500)
    expect(await r.text()).toMatch(/^Code: 457\. DB::Exception: .*\(BAD_QUERY_PARAMETER\)/)
  })
})

describe('inserts', () => {
  it('stores JSONEachRow rows from the body, with column defaults, and reports them in the summary', async () => {
    const r = await client.insert({
      table: '`t`.rows',
      values: [
        { id: 1, name: 'one', tags: ['a'] },
        { id: 2, name: "two's", tags: [] },
      ],
      format: 'JSONEachRow',
    })
    expect(r.summary?.written_rows).toBe('2')
    expect(lastRequest()).toMatchObject({ query: 'INSERT INTO `t`.rows FORMAT JSONEachRow', status: 200 })
    const got = await rows(
      client,
      'SELECT id, name, tags, at > 0 AS stamped FROM t.rows WHERE id <= 2 ORDER BY id',
    )
    expect(got).toEqual([
      { id: 1, name: 'one', tags: ['a'], stamped: 1 },
      { id: 2, name: "two's", tags: [], stamped: 1 },
    ])
  })

  it("reads INSERT ... SELECT FROM input() data from the body, with the request's settings", async () => {
    const values = '{"n": 1, "s": true}\n{"n": 2, "s": 2.50}\n'
    await client.exec({
      query: `INSERT INTO t.rows (id, name, tags) SELECT toUInt32(n) + {base:UInt32}, s, [] FROM input('n String, s String') FORMAT JSONEachRow`,
      query_params: { base: 100 },
      values: Readable.from([values]),
      clickhouse_settings: {
        input_format_json_read_numbers_as_strings: 1,
        input_format_json_read_bools_as_strings: 1,
        optimize_on_insert: 0,
      },
    })
    expect(lastRequest()).toMatchObject({
      status: 200,
      dataBytes: values.length,
      settings: { optimize_on_insert: '0' },
    })
    expect(await rows(client, 'SELECT id, name FROM t.rows WHERE id > 100 ORDER BY id')).toEqual([
      { id: 101, name: 'true' },
      { id: 102, name: '2.50' },
    ])
  })

  it('inserts nothing from an empty body', async () => {
    await client.exec({
      query: `INSERT INTO t.rows (id, name, tags) SELECT toUInt32(n), '', [] FROM input('n String') FORMAT JSONEachRow`,
      values: Readable.from([]),
    })
    expect(lastRequest()).toMatchObject({ status: 200, dataBytes: 0 })
    const r = await fetch(
      `${server.url}/?query=${encodeURIComponent('INSERT INTO t.rows FORMAT JSONEachRow')}`,
      {
        method: 'POST',
        body: '',
      },
    )
    expect(r.status).toBe(200)
    expect(await rows(client, "SELECT count() AS n FROM t.rows WHERE name = ''")).toEqual([{ n: 0 }])
  })

  it("does not let one request's settings or database leak into the next", async () => {
    await client.command({ query: 'SELECT 1', clickhouse_settings: { optimize_on_insert: 0 } })
    const inDb = createClient({ url: server.url, database: 't', ...quiet })
    expect(await rows(inDb, 'SELECT count() > 0 AS any, currentDatabase() AS db FROM rows')).toEqual([
      { any: 1, db: 't' },
    ])
    await inDb.close()
    expect(
      await rows(client, "SELECT getSetting('optimize_on_insert') AS o, currentDatabase() AS db"),
    ).toEqual([{ o: true, db: 'default' }])
  })
})

describe('errors', () => {
  it("maps engine errors to ClickHouseError with code, type and the server's HTTP status", async () => {
    await expect(client.query({ query: 'SELECT * FROM t.nope' })).rejects.toMatchObject({
      code: '60',
      type: 'UNKNOWN_TABLE',
    })
    expect(lastRequest().status).toBe(404)
    await expect(client.query({ query: 'SELECT (' })).rejects.toMatchObject({
      code: '62',
      type: 'SYNTAX_ERROR',
    })
    expect(lastRequest().status).toBe(400)
    await expect(client.command({ query: "SELECT throwIf(1, 'boom')" })).rejects.toMatchObject({
      code: '395',
    })
    expect(lastRequest().status).toBe(500)
  })

  it('refuses several statements in one request, as a server does', async () => {
    await expect(client.command({ query: "SELECT ';'; SELECT 2" })).rejects.toMatchObject({ code: '62' })
    expect(await rows(client, "SELECT ';' AS s -- ; not a second statement")).toEqual([{ s: ';' }])
  })

  it('sends the exception code header and a `Code: N. DB::Exception` body', async () => {
    const r = await fetch(`${server.url}/?query=${encodeURIComponent('SELECT * FROM t.nope')}`)
    expect(r.status).toBe(404)
    expect(r.headers.get('x-clickhouse-exception-code')).toBe('60')
    expect(await r.text()).toMatch(/^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\) \(version [\d.]+\)\n$/s)
  })
})

describe('HTTP', () => {
  it('answers /ping and a GET query, with the headers a server sends', async () => {
    expect(await client.ping()).toEqual({ success: true })
    expect(lastRequest()).toMatchObject({ method: 'GET', path: '/ping', status: 200 })
    const r = await fetch(
      `${server.url}/?query=${encodeURIComponent('SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 2) ORDER BY x')}&query_id=abc`,
    )
    expect(await r.text()).toBe('1\n2\n')
    expect(r.headers.get('x-clickhouse-format')).toBe('TabSeparated')
    expect(r.headers.get('x-clickhouse-query-id')).toBe('abc')
    expect(JSON.parse(r.headers.get('x-clickhouse-summary')!)).toMatchObject({ result_rows: '2' })
    const json = await fetch(`${server.url}/?default_format=JSONEachRow`, {
      method: 'POST',
      body: 'SELECT 1 AS x',
    })
    expect(json.headers.get('x-clickhouse-format')).toBe('JSONEachRow')
    expect(await json.json()).toEqual({ x: 1 })
  })

  it('runs concurrent requests one at a time, all answered', async () => {
    const all = await Promise.all(
      Array.from({ length: 12 }, (_, i) => rows(client, 'SELECT {i:UInt8} AS i', { i })),
    )
    expect(all.map((r) => r[0]!.i)).toEqual(Array.from({ length: 12 }, (_, i) => i))
  })

  it('speaks gzip both ways and takes params from a multipart body', async () => {
    const c = createClient({
      url: server.url,
      compression: { request: true, response: true },
      use_multipart_params: true,
      ...quiet,
    })
    await c.insert({ table: 't.rows', values: [{ id: 7, name: 'zipped', tags: [] }], format: 'JSONEachRow' })
    expect(await rows(c, 'SELECT name FROM t.rows WHERE id = {id:UInt32}', { id: 7 })).toEqual([
      { name: 'zipped' },
    ])
    await c.close()
  })
})

describe('faults', () => {
  async function withFault(f: (r: RecordedRequest) => Fault | undefined, run: () => Promise<unknown>) {
    fault = f
    try {
      return await run()
    } finally {
      fault = undefined
    }
  }

  it('answers with the injected status and body, without running the query', async () => {
    const err = await withFault(
      (r) => (r.query.startsWith('INSERT') ? { status: 503, body: 'upstream unavailable' } : 'ok'),
      () =>
        client
          .insert({ table: 't.rows', values: [{ id: 50, name: 'lost', tags: [] }], format: 'JSONEachRow' })
          .catch((e: Error) => e),
    )
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toBe('upstream unavailable')
    expect(lastRequest().status).toBe(503)
    expect(await rows(client, 'SELECT count() AS n FROM t.rows WHERE id = 50')).toEqual([{ n: 0 }])
  })

  it('drops the connection', async () => {
    const err = await withFault(
      () => 'reset',
      () => client.query({ query: 'SELECT 1' }).catch((e: Error) => e),
    )
    expect(String((err as Error).message)).toMatch(/socket hang up|ECONNRESET/)
    expect(lastRequest().status).toBe('reset')
  })

  it('delays past the client timeout', async () => {
    const slow = createClient({ url: server.url, request_timeout: 200, ...quiet })
    const err = await withFault(
      () => ({ delayMs: 600 }),
      () => slow.query({ query: 'SELECT 1' }).catch((e: Error) => e),
    )
    expect(String((err as Error).message)).toMatch(/Timeout/i)
    await slow.close()
  })
})
