// What ingest stores is exactly what was sent: number text, strings byte for byte, instants in UTC.
import { describe, expect, it } from 'vitest'
import { event, lines, useEngine } from './engine.js'

const engine = useEngine()

describe('stored values are exactly the values sent', () => {
  it('keeps the source text of numbers and booleans in properties', async () => {
    const e = engine()
    const props =
      '{"amount":0.10,"big":123456789012345678901234567890,"e":1e3,"E":-2.5E-3,"zero":-0,"t":true,"f":false,"s":"0.10"}'
    const f = e.file('numbers.ndjson', lines(event({ tx: 'n1' }).replace(/}$/, `,"properties":${props}}`)))
    expect(await e.ingest([f])).toMatchObject({ accepted: 1, rejected: 0 })
    const [row] = await e.rows<{ properties: Record<string, string> }>(
      `SELECT properties FROM ${e.db}.events FINAL`,
    )
    expect(row!.properties).toEqual({
      amount: '0.10',
      big: '123456789012345678901234567890',
      e: '1e3',
      E: '-2.5E-3',
      zero: '-0',
      t: 'true',
      f: 'false',
      s: '0.10',
    })
    const [amount] = await e.rows(`SELECT properties['amount'] AS a FROM ${e.db}.events FINAL`)
    expect(amount).toEqual({ a: '0.10' })
  })

  it('30 events of 0.1 sum to exactly 3 as decimals', async () => {
    const e = engine()
    const thirty = Array.from({ length: 30 }, (_, i) =>
      event({ tx: `v${i}` }).replace(/}$/, ',"properties":{"v":0.1}}'),
    )
    // A copy of v0 with the same value: de-duplication must keep the sum at 3.
    const f = e.file('tenths.ndjson', lines(...thirty, thirty[0]!))
    expect(await e.ingest([f])).toMatchObject({ accepted: 31, duplicatesInInput: 1, newEvents: 30 })
    const [row] = await e.rows(
      `SELECT toString(sum(toDecimal128(properties['v'], 12))) AS total FROM ${e.db}.events FINAL`,
    )
    expect(row).toEqual({ total: '3' })
  })

  const HOSTILE = [
    `quote " and 'apostrophe'`,
    'back\\slash \\N \\\\ \\n',
    '{x:String}',
    "'); DROP TABLE events; --",
    '/* comment */ -- tail # hash',
    'Zürich 東京 🚀 مرحبا',
    'ctl \u0001\u0002\u001f tab\t nl\n cr\r',
    'nul \u0000 byte',
    'line sep \u2028 para \u2029',
    '  padded  ',
    '$1 ? :x @y %s',
  ]

  it('stores hostile strings verbatim in ids, codes, property names and values', async () => {
    const e = engine()
    const f = e.file(
      'hostile.ndjson',
      lines(
        ...HOSTILE.map((h, i) =>
          event({ tx: `h${i} ${h}`, customer: h, code: `code ${h}`, properties: { note: h, [h]: i } }),
        ),
      ),
    )
    expect(await e.ingest([f], { workers: 1 })).toMatchObject({
      lines: HOSTILE.length,
      accepted: HOSTILE.length,
      rejected: 0,
    })
    for (const [i, h] of HOSTILE.entries()) {
      const rows = await e.rows<{ n: string }>(
        `SELECT toString(count()) AS n FROM ${e.db}.events FINAL
         WHERE customer = {h:String} AND transaction_id = {t:String} AND code = {c:String}
           AND properties['note'] = {h:String} AND properties[{h:String}] = {i:String}`,
        { h, t: `h${i} ${h}`, c: `code ${h}`, i: String(i) },
      )
      expect(rows, JSON.stringify(h)).toEqual([{ n: '1' }])
    }
    const stored = await e.rows<{ customer: string; bytes: string }>(
      `SELECT customer, hex(customer) AS bytes FROM ${e.db}.events FINAL ORDER BY customer`,
    )
    const hex = (s: string) => Buffer.from(s).toString('hex').toUpperCase()
    expect(stored).toEqual([...HOSTILE].sort(byBytes).map((h) => ({ customer: h, bytes: hex(h) })))
  })

  it('stores the same event whether the line is copied as written or rewritten', async () => {
    const e = engine()
    const ts = '"2026-10-05T12:00:00Z"'
    const lines = [
      // copied as written: extra keys of every JSON type are skipped by the engine
      `{"transaction_id":"a","customer":"c","code":"k","timestamp":${ts},"extra":{"n":[1,{"x":null}]},"flag":true,"properties":{"v":"1.50"}}`,
      `{"transaction_id":"b","external_customer_id":"c","code":"k","timestamp":${ts},"properties":{"v":2}}`,
      `{"transaction_id":"c","customer":"c","external_customer_id":"c","code":"k","timestamp":${ts}}`,
      // rewritten: an escaped key, null properties, keys named like staging columns
      `{"transaction_id":"d","cust\\u006fmer":"c","code":"k","timestamp":${ts},"properties":{"v":3}}`,
      `{"transaction_id":"e","customer":"c","code":"k","timestamp":${ts},"properties":null}`,
      `{"transaction_id":"f","customer":"c","code":"k","timestamp":${ts},"ts":"x","seq":1,"properties":{"v":4}}`,
    ]
    await e.ingest([e.file('paths.ndjson', lines.join('\n'))])
    expect(
      await e.rows(
        `SELECT transaction_id, customer, code, toString(timestamp) AS ts, properties FROM ${e.db}.events FINAL ORDER BY transaction_id`,
      ),
    ).toEqual(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((tx, i) => ({
        transaction_id: tx,
        customer: 'c',
        code: 'k',
        ts: '2026-10-05 12:00:00.000',
        properties: [{ v: '1.50' }, { v: '2' }, {}, { v: '3' }, {}, { v: '4' }][i],
      })),
    )
  })

  it('decodes JSON escapes the sender chose: \\u0001, \\/ and \\u00e9', async () => {
    const e = engine()
    const line =
      '{"transaction_id":"esc","customer":"a\\u0001b\\/c\\u00e9","code":"x","timestamp":1,"properties":{"k\\u00e9":"\\u0041\\t"}}'
    await e.ingest([e.file('escapes.ndjson', lines(line))])
    const [row] = await e.rows(`SELECT customer, properties FROM ${e.db}.events FINAL`)
    expect(row).toEqual({ customer: 'a\u0001b/cé', properties: { ké: 'A\t' } })
  })

  // A lone surrogate escape is not valid Unicode: the engine would refuse the whole INSERT.
  it('a lone surrogate escape is rejected as a line, and the lines around it are stored', async () => {
    const e = engine()
    const bad = '{"transaction_id":"s","customer":"\\ud800","code":"x","timestamp":1}'
    const f = e.file('surrogate.ndjson', lines(event({ tx: 'before' }), bad, event({ tx: 'after' })))
    expect(await e.ingest([f], { workers: 1 })).toMatchObject({ accepted: 2, rejected: 1 })
    expect(await e.count()).toBe(2)
  })
})

describe('timestamps are stored in UTC, to the millisecond', () => {
  it.each([
    ['2026-10-05T12:00:00+05:30', '2026-10-05 06:30:00.000'],
    ['2026-10-05T12:00:00-0800', '2026-10-05 20:00:00.000'],
    ['2026-01-01T00:30:00+01:00', '2025-12-31 23:30:00.000'],
    ['2026-10-05 12:00:00', '2026-10-05 12:00:00.000'],
    ['2026-10-05T12:00:00.123456789Z', '2026-10-05 12:00:00.123'],
    ['1970-01-01T00:00:00Z', '1970-01-01 00:00:00.000'],
    ['2199-12-31T23:59:59.999Z', '2199-12-31 23:59:59.999'],
  ])('%s is stored as %s', async (ts, utc) => {
    const e = engine()
    await e.ingest([e.file('ts.ndjson', lines(event({ tx: 't', timestamp: ts })))], { workers: 1 })
    expect(await e.rows(`SELECT toString(timestamp) AS ts FROM ${e.db}.events FINAL`)).toEqual([{ ts: utc }])
  })

  it('Unix seconds 1759665600.123 are stored as exactly 1759665600123 ms', async () => {
    const e = engine()
    const line = '{"transaction_id":"u","customer":"c","code":"x","timestamp":1759665600.123}'
    await e.ingest([e.file('unix.ndjson', lines(line))], { workers: 1 })
    const rows = await e.rows(
      `SELECT toString(timestamp) AS ts, toString(toUnixTimestamp64Milli(timestamp)) AS ms FROM ${e.db}.events FINAL`,
    )
    expect(rows).toEqual([{ ts: '2025-10-05 12:00:00.123', ms: '1759665600123' }])
  })
})

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}
