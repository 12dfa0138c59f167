import { describe, expect, it } from 'vitest'
import { validateChunk, type Chunk } from '../../src/ingest/validate-chunk.js'

const TS = '"2026-10-05T12:00:00Z"'
const TS_MS = Date.UTC(2026, 9, 5, 12)

function event(tx: string, extra = ''): string {
  return `{"transaction_id":"${tx}","customer":"c1","code":"api","timestamp":${TS}${extra}}`
}

function chunkOf(parts: (string | Buffer)[], over: Partial<Chunk> = {}): Chunk {
  const bytes = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))
  return { bytes, firstLine: 1, firstSeq: 1, maxLineBytes: 200, ...over }
}

/** A line the engine can read as written: `ts` and `seq` in front of the sender's own keys. */
const verbatim = (line: string, seq: number, ms = TS_MS) => `{"ts":${ms},"seq":${seq},${line.slice(1)}\n`
const row = (tx: string, seq: number) => verbatim(event(tx), seq)
/** A line rewritten with exactly the staging keys. */
const rewritten = (tx: string, seq: number, props = '{}', customer = '"c1"') =>
  `{"customer":${customer},"transaction_id":"${tx}","code":"api","ts":${TS_MS},"seq":${seq},"properties":${props}}\n`

describe('validateChunk', () => {
  it('writes a staging row per good line with the source text of ids and properties', () => {
    const props = '{ "amount" : 0.10, "n":1e3, "big":123456789012345678901234567890, "ok":true, "s":"a\\"b" }'
    const v = validateChunk(chunkOf([event('t1', `,"properties":${props}`)], { firstSeq: 41 }))
    expect(v.rows.toString()).toBe(rewritten('t1', 41, props.replace('"ok":true', '"ok":"true"')))
    expect(v).toMatchObject({ lines: 1, good: 1, blank: 0, rejects: [] })
  })

  it('keeps escapes in ids exactly as written, so the engine decodes them', () => {
    const customer = '"a\\"b\\\\c\\u0001\\/{x:String}é"'
    const line = `{"transaction_id":"t","customer":${customer},"code":"api","timestamp":${TS}}`
    const rows = validateChunk(chunkOf([line])).rows.toString()
    expect(rows).toBe(verbatim(line, 1))
    expect(JSON.parse(rows).customer).toBe('a"b\\c\u0001/{x:String}é')
  })

  it('copies lines with external_customer_id and unknown keys as written (the engine skips the unknown)', () => {
    const line = `{"external_customer_id":"ext","x":{"y":[1]},"transaction_id":"t","code":"api","timestamp":${TS}}`
    expect(validateChunk(chunkOf([line])).rows.toString()).toBe(verbatim(line, 1))
  })

  it('rewrites lines with boolean properties, quoting the booleans (servers before 24.1 cannot read them)', () => {
    const line = event('t', ',"properties":{"ok":true,"s":"true false","no": false,"n":1e3}')
    expect(validateChunk(chunkOf([line])).rows.toString()).toBe(
      rewritten('t', 1, '{"ok":"true","s":"true false","no": "false","n":1e3}'),
    )
  })

  it('rewrites lines the engine would read differently: escaped keys, null properties, ts or seq keys', () => {
    const lines = [
      `{"transaction_id":"t1","cust\\u006fmer":"c1","code":"api","timestamp":${TS}}`,
      `{"transaction_id":"t2","customer":"c1","code":"api","timestamp":${TS},"properties":null}`,
      `{"transaction_id":"t3","customer":"c1","code":"api","timestamp":${TS},"ts":"mine","properties":{"a":1}}`,
      `{"transaction_id":"t4","external_customer_id":"e","code":"api","timestamp":${TS},"seq":5}`,
    ]
    expect(validateChunk(chunkOf([lines.join('\n')])).rows.toString()).toBe(
      rewritten('t1', 1) +
        rewritten('t2', 2) +
        rewritten('t3', 3, '{"a":1}') +
        rewritten('t4', 4, '{}', '"e"'),
    )
  })

  it('writes Unix-seconds timestamps as whole milliseconds', () => {
    const line = '{"transaction_id":"t","customer":"c1","code":"api","timestamp":1759665600.123456}'
    expect(JSON.parse(validateChunk(chunkOf([line])).rows.toString()).ts).toBe(1759665600123)
  })

  it('numbers lines from firstLine and seq from firstSeq, counting blank and rejected lines', () => {
    const v = validateChunk(
      chunkOf([event('a'), '\n', '\n', 'oops\n', event('b'), '\n', '   \t\n', event('c'), '\n'], {
        firstLine: 10,
        firstSeq: 1000,
      }),
    )
    expect(v.rows.toString()).toBe(row('a', 1000) + row('b', 1003) + row('c', 1005))
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
    expect(v.rows.toString()).toBe(row('a', 1) + row('b', 4))
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
    expect(v.rows.toString()).toBe(row('a', 7) + row('b', 9) + row('c', 12))
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
    expect(v.rows.toString()).toBe(verbatim(pad(200), 1) + row('ok', 4))
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
    expect(v.rows.toString()).toBe(row('a', 1) + row('b', 2))
    expect(v.rejects).toEqual([])
  })

  it('every staging row is one JSON object a line, for many lines', () => {
    const lines = Array.from({ length: 500 }, (_, i) =>
      event(`t${i}`, i % 3 === 0 ? `,"properties":{"v":${i}.5,"k":"s${i}"}` : ''),
    )
    const v = validateChunk(chunkOf([lines.join('\n')], { firstSeq: 2 ** 33 }))
    const rows = v.rows
      .toString()
      .trimEnd()
      .split('\n')
      .map((r) => JSON.parse(r))
    expect(rows).toHaveLength(500)
    expect(rows[499]).toEqual({
      ts: TS_MS,
      seq: 2 ** 33 + 499,
      transaction_id: 't499',
      customer: 'c1',
      code: 'api',
      timestamp: '2026-10-05T12:00:00Z',
    })
    expect(rows[3].properties).toEqual({ v: 3.5, k: 's3' })
  })
})
