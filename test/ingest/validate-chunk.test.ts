import { describe, expect, it } from 'vitest'
import { validateChunk, type Chunk } from '../../src/ingest/validate-chunk.js'
import { readStagingRows, type StagingRow } from '../support/staging-rows.js'

const TS = '"2026-10-05T12:00:00Z"'
const TS_MS = Date.UTC(2026, 9, 5, 12)

function event(tx: string, extra = ''): string {
  return `{"transaction_id":"${tx}","customer":"c1","code":"api","timestamp":${TS}${extra}}`
}

function chunkOf(parts: (string | Buffer)[], over: Partial<Chunk> = {}): Chunk {
  const bytes = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))
  return { bytes, firstLine: 1, firstSeq: 1, maxLineBytes: 200, ...over }
}

/** The staging row of `event(tx)` at place `seq`. */
const row = (tx: string, seq: number, over: Partial<StagingRow> = {}): StagingRow => ({
  customer: 'c1',
  transaction_id: tx,
  uuid: false,
  code: 'api',
  ts: TS_MS,
  seq,
  properties: [],
  ...over,
})
const rowsOf = (chunk: Chunk) => readStagingRows(validateChunk(chunk).rows)

describe('validateChunk', () => {
  it('writes a staging row per good line with the exact text of numbers and decoded strings', () => {
    const props = '{ "amount" : 0.10, "n":1e3, "big":123456789012345678901234567890, "ok":true, "s":"a\\"b" }'
    const v = validateChunk(chunkOf([event('t1', `,"properties":${props}`)], { firstSeq: 41 }))
    expect(readStagingRows(v.rows)).toEqual([
      row('t1', 41, {
        properties: [
          ['amount', '0.10'],
          ['n', '1e3'],
          ['big', '123456789012345678901234567890'],
          ['ok', 'true'],
          ['s', 'a"b'],
        ],
      }),
    ])
    expect(v).toMatchObject({ lines: 1, good: 1, blank: 0, rejects: [] })
  })

  it('decodes escapes in ids, codes and property names and values', () => {
    const customer = '"a\\"b\\\\c\\u0001\\/{x:String}é\\ud83d\\ude80"'
    const line =
      `{"transaction_id":"t\\n","customer":${customer},"code":"\\u0061pi","timestamp":${TS},` +
      '"properties":{"\\u00e9t\\u00e9":"\\t","plain":"x"}}'
    expect(rowsOf(chunkOf([line]))).toEqual([
      row('t\n', 1, {
        customer: 'a"b\\c\u0001/{x:String}é🚀',
        code: 'api',
        properties: [
          ['été', '\t'],
          ['plain', 'x'],
        ],
      }),
    ])
  })

  it('takes external_customer_id as the customer and skips unknown keys, whatever they hold', () => {
    const line = `{"external_customer_id":"ext","x":{"y":[1]},"transaction_id":"t","code":"api","timestamp":${TS},"ts":1,"seq":"s"}`
    expect(rowsOf(chunkOf([line]))).toEqual([row('t', 1, { customer: 'ext' })])
  })

  it('stores booleans as the text true or false, and null properties as none', () => {
    const lines = [
      event('t1', ',"properties":{"ok":true,"s":"true false","no": false,"n":1e3}'),
      event('t2', ',"properties":null'),
      `{"transaction_id":"t3","cust\\u006fmer":"c1","code":"api","timestamp":${TS}}`,
    ]
    expect(rowsOf(chunkOf([lines.join('\n')]))).toEqual([
      row('t1', 1, {
        properties: [
          ['ok', 'true'],
          ['s', 'true false'],
          ['no', 'false'],
          ['n', '1e3'],
        ],
      }),
      row('t2', 2),
      row('t3', 3),
    ])
  })

  it('writes Unix-seconds timestamps as whole milliseconds', () => {
    const line = '{"transaction_id":"t","customer":"c1","code":"api","timestamp":1759665600.123456}'
    expect(rowsOf(chunkOf([line]))[0]!.ts).toBe(1759665600123)
  })

  it('writes ts and seq as 64-bit integers, beyond 32 bits', () => {
    const line = '{"transaction_id":"t","customer":"c1","code":"api","timestamp":"2199-12-31T23:59:59.999Z"}'
    const [r] = rowsOf(chunkOf([line], { firstSeq: 2 ** 40 + 7 }))
    expect(r).toMatchObject({ ts: Date.UTC(2199, 11, 31, 23, 59, 59, 999), seq: 2 ** 40 + 7 })
  })

  it('numbers lines from firstLine and seq from firstSeq, counting blank and rejected lines', () => {
    const v = validateChunk(
      chunkOf([event('a'), '\n', '\n', 'oops\n', event('b'), '\n', '   \t\n', event('c'), '\n'], {
        firstLine: 10,
        firstSeq: 1000,
      }),
    )
    expect(readStagingRows(v.rows)).toEqual([row('a', 1000), row('b', 1003), row('c', 1005)])
    expect(v).toMatchObject({ lines: 6, good: 3, blank: 2 })
    expect(v.rejects).toEqual([
      {
        line: 12,
        field: null,
        reason: 'not valid JSON: expected an object starting with {',
        excerpt: 'oops',
      },
    ])
  })

  it('accepts CRLF line ends, and lines of spaces, tabs and CRs are blank', () => {
    const v = validateChunk(chunkOf([event('a'), '\r\n', '\r\n', ' \t\r\n', event('b'), '\r\n']))
    expect(readStagingRows(v.rows)).toEqual([row('a', 1), row('b', 4)])
    expect(v).toMatchObject({ lines: 4, good: 2, blank: 2, rejects: [] })
  })

  it('reads a last line without a newline, and a final newline adds no line', () => {
    expect(validateChunk(chunkOf([event('a'), '\n', event('b')]))).toMatchObject({ lines: 2, good: 2 })
    expect(validateChunk(chunkOf([event('a'), '\n', event('b'), '\n']))).toMatchObject({ lines: 2, good: 2 })
    expect(validateChunk(chunkOf(['\n']))).toMatchObject({ lines: 1, good: 0, blank: 1 })
    expect(validateChunk(chunkOf([]))).toMatchObject({ lines: 0, good: 0, blank: 0, rejects: [] })
  })

  it('rejects invalid UTF-8 in the middle of a chunk and keeps the lines around it', () => {
    const bad = Buffer.concat([
      Buffer.from('{"transaction_id":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ])
    const overlong = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])
    const surrogate = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ])
    const v = validateChunk(
      chunkOf(
        [event('a'), '\n', bad, '\n', event('b'), '\n', overlong, '\n', surrogate, '\r\n', event('c')],
        {
          firstLine: 7,
          firstSeq: 7,
        },
      ),
    )
    expect(readStagingRows(v.rows)).toEqual([row('a', 7), row('b', 9), row('c', 12)])
    expect(v.rejects.map((r) => [r.line, r.field, r.reason])).toEqual([
      [8, null, 'not valid UTF-8'],
      [10, null, 'not valid UTF-8'],
      [11, null, 'not valid UTF-8'],
    ])
    expect(v.rejects[0]!.excerpt).toBe('{"transaction_id":"\uFFFD("}')
  })

  it('rejects lines over maxLineBytes, not counting the CR of a CRLF', () => {
    const pad = (n: number) => event('x', `,"pad":"${'p'.repeat(n - event('x', ',"pad":""').length)}"`)
    const v = validateChunk(
      chunkOf([pad(200), '\r\n', pad(201), '\n', pad(5000), '\r\n', event('ok')], { maxLineBytes: 200 }),
    )
    expect(v.good).toBe(2)
    expect(readStagingRows(v.rows)).toEqual([row('x', 1), row('ok', 4)])
    expect(v.rejects.map((r) => [r.line, r.field, r.reason])).toEqual([
      [2, null, 'line is 201 bytes, over the 200-byte limit'],
      [3, null, 'line is 5000 bytes, over the 200-byte limit'],
    ])
    expect(v.rejects[1]!.excerpt).toBe(`${pad(5000).slice(0, 200)}…`)
  })

  it('reports the field and reason of rule violations, with the line as excerpt', () => {
    const line = `{"transaction_id":"t","customer":"c1","code":"api","timestamp":"2025-02-29T00:00:00Z"}`
    expect(validateChunk(chunkOf(['\n', line], { firstLine: 100 })).rejects).toEqual([
      {
        line: 101,
        field: 'timestamp',
        reason: 'day 29 is out of range in "2025-02-29T00:00:00Z"',
        excerpt: line,
      },
    ])
  })

  it('reads a chunk that is a view into a larger buffer', () => {
    const whole = Buffer.from(`GARBAGE${event('a')}\n${event('b')}MORE`)
    const start = whole.indexOf('{')
    const bytes = whole.subarray(start, whole.lastIndexOf('}') + 1)
    const v = validateChunk({ bytes, firstLine: 1, firstSeq: 1, maxLineBytes: 200 })
    expect(readStagingRows(v.rows)).toEqual([row('a', 1), row('b', 2)])
    expect(v.rejects).toEqual([])
  })

  it('sends a canonical UUID transaction id as its 16 bytes, and any other id as text', () => {
    const canonical = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0'
    const ids = [
      canonical,
      canonical.toUpperCase(), // another id: ids are compared as text
      canonical.replace(/-/g, ''),
      `${canonical}x`,
      canonical.replace('4968', '49g8'),
      `${canonical.slice(0, 23)}a${canonical.slice(24)}`, // 36 characters, a digit where a dash goes
    ]
    const escaped = `{"transaction_id":"\\u0030f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0","customer":"acme","code":"api","timestamp":${TS}}`
    const rows = rowsOf(chunkOf([[...ids.map((id) => event(id)), escaped].join('\n')]))
    expect(rows.map((r) => [r.transaction_id, r.uuid])).toEqual([
      [canonical, true],
      [canonical.toUpperCase(), false],
      [canonical.replace(/-/g, ''), false],
      [`${canonical}x`, false],
      [canonical.replace('4968', '49g8'), false],
      [`${canonical.slice(0, 23)}a${canonical.slice(24)}`, false],
      [canonical, true], // escaped in the line: the same id once decoded, so the same key
    ])
  })

  it('writes one staging row per good line, for many lines, into a reused buffer', () => {
    const lines = Array.from({ length: 500 }, (_, i) =>
      event(`t${i}`, i % 3 === 0 ? `,"properties":{"v":${i}.5,"k":"s${i}"}` : ''),
    )
    const scratch = Buffer.alloc(1 << 20, 0xff)
    const v = validateChunk(chunkOf([lines.join('\n')], { firstSeq: 2 ** 33 }), scratch)
    expect(v.rows.buffer).toBe(scratch.buffer)
    const rows = readStagingRows(v.rows)
    expect(rows).toHaveLength(500)
    expect(rows[499]).toEqual(row('t499', 2 ** 33 + 499))
    expect(rows[3]!.properties).toEqual([
      ['v', '3.5'],
      ['k', 's3'],
    ])
  })
})
