import { describe, expect, it } from 'vitest'
import {
  CODE,
  MAX_ID_BYTES,
  MAX_PROPERTIES,
  parseEventLine,
  PROPERTIES,
  TRANSACTION_ID,
  type Span,
} from '../../src/events/parse-event.js'

// Raw JSON text of each field; a field set to null is left out of the line.
const BASE: Record<string, string> = {
  transaction_id: '"t1"',
  customer: '"c1"',
  code: '"api_call"',
  timestamp: '"2026-10-05T12:00:00Z"',
}

function line(over: Record<string, string | null> = {}): string {
  const fields = Object.entries({ ...BASE, ...over }).filter(([, v]) => v !== null)
  return `{${fields.map(([k, v]) => `"${k}":${v}`).join(',')}}`
}

const verdict = (text: string) => {
  const b = Buffer.from(text)
  return parseEventLine(b, 0, b.length)
}

/** The accepted event with its spans read back as text. */
function accepted(text: string) {
  const b = Buffer.from(text)
  const v = parseEventLine(b, 0, b.length)
  if (!v.ok) throw new Error(`rejected (${v.field}): ${v.reason}`)
  const t = (s: Span) => b.toString('utf8', s.start, s.end)
  return {
    transactionId: t(v.span(TRANSACTION_ID)!),
    customer: t(v.span(v.customerField)!),
    code: t(v.span(CODE)!),
    timestamp: new Date(v.timestampMs).toISOString(),
    timestampMs: v.timestampMs,
    properties: v.span(PROPERTIES) && t(v.span(PROPERTIES)!),
  }
}

describe('a good event line', () => {
  it('gives the spans of its fields as the JSON text that was written', () => {
    expect(accepted(line({ properties: '{"amount":0.10}' }))).toEqual({
      transactionId: '"t1"',
      customer: '"c1"',
      code: '"api_call"',
      timestamp: '2026-10-05T12:00:00.000Z',
      timestampMs: Date.UTC(2026, 9, 5, 12),
      properties: '{"amount":0.10}',
    })
  })

  it('reads a line in the middle of a buffer, and reports columns from the line start', () => {
    const b = Buffer.from(`garbage\n${line()}\n{"x" 1}\n`)
    const start = b.indexOf('\n') + 1
    const end = b.indexOf('\n', start)
    const v = parseEventLine(b, start, end)
    const customer = v.ok && v.span(v.customerField)!
    expect(customer && b.toString('utf8', customer.start, customer.end)).toBe('"c1"')
    expect(parseEventLine(b, end + 1, b.length - 1)).toEqual({
      ok: false,
      field: null,
      reason: "not valid JSON: expected ':' after a key at column 6",
    })
  })

  it('ignores unknown top-level keys, whatever their (valid) value', () => {
    const v = accepted(line({ source: '{"deep":[1,{"x":null}],"n":-1.5e3}', note: 'null' }))
    expect(v.customer).toBe('"c1"')
  })

  it('takes keys that only begin like its own, or are shorter, for other keys', () => {
    const others = [
      'customers',
      'cust',
      'co',
      'codes',
      'timestamp_ms',
      'transaction',
      'propertiesX',
      'e',
      't',
    ]
    const text = line(Object.fromEntries(others.map((k) => [k, '"other"'])))
    expect(accepted(text)).toEqual(accepted(line()))
    expect(verdict('{"transaction_id":"t1","customer')).toEqual({
      ok: false,
      field: null,
      reason: 'not valid JSON: unterminated string at column 33',
    })
    // A line that ends inside a key, with the rest of the key in the bytes after it.
    const whole = Buffer.from(line())
    const cut = whole.indexOf('customer') + 4
    expect(parseEventLine(whole, 0, cut)).toEqual({
      ok: false,
      field: null,
      reason: `not valid JSON: unterminated string at column ${cut + 1}`,
    })
  })

  it('allows whitespace around the object and between tokens', () => {
    expect(
      accepted(` \t{ "transaction_id" : "t" ,"customer":"c", "code":"x" ,"timestamp": 1 }  `).timestampMs,
    ).toBe(1000)
  })

  it('recognises escaped keys: "cust\\u006fmer" is customer', () => {
    const text = '{"transaction_id":"t","cust\\u006fmer":"c","code":"x","timestamp":1}'
    expect(accepted(text).customer).toBe('"c"')
  })

  it('accepts a surrogate pair written as two escapes', () => {
    expect(accepted(line({ customer: '"\\ud83d\\ude80 \\uD83D\\uDE80"' })).customer).toBe(
      '"\\ud83d\\ude80 \\uD83D\\uDE80"',
    )
  })

  it('takes external_customer_id as the customer when customer is absent', () => {
    expect(accepted(line({ customer: null, external_customer_id: '"ext"' })).customer).toBe('"ext"')
  })

  it('accepts customer and external_customer_id when they decode to the same string', () => {
    expect(accepted(line({ customer: '"c"', external_customer_id: '"\\u0063"' })).customer).toBe('"c"')
  })

  it(`accepts an id of ${MAX_ID_BYTES} bytes of JSON text, quotes included`, () => {
    const id = 'a'.repeat(MAX_ID_BYTES - 2)
    expect(accepted(line({ transaction_id: `"${id}"` })).transactionId).toBe(`"${id}"`)
  })
})

describe('properties', () => {
  it.each([
    ['absent', null],
    ['null', 'null'],
  ])('%s means none', (_, props) => {
    expect(accepted(line({ properties: props })).properties).toBeNull()
  })

  it.each([
    ['empty', '{}'],
    ['numbers', '{ "amount" : 0.10 , "n":1e3, "neg":-2.5E-3, "big":123456789012345678901234567890 }'],
    ['strings and booleans', '{"s":"x\\"y","ok":true,"off":false}'],
    ['distinct escaped names', '{"a":1,"\\u0062":2,"é":3}'],
  ])('%s keep their exact text', (_, props) => {
    expect(accepted(line({ properties: props })).properties).toBe(props)
  })

  it(`allows ${MAX_PROPERTIES} properties and rejects one more`, () => {
    const props = (n: number) => `{${Array.from({ length: n }, (_, i) => `"p${i}":${i}`).join(',')}}`
    expect(accepted(line({ properties: props(MAX_PROPERTIES) })).properties).toBe(props(MAX_PROPERTIES))
    expect(verdict(line({ properties: props(MAX_PROPERTIES + 1) }))).toEqual({
      ok: false,
      field: 'properties',
      reason: `more than ${MAX_PROPERTIES} properties`,
    })
  })
})

describe('timestamps become UTC milliseconds', () => {
  it.each([
    ['"2026-10-05T12:00:00Z"', '2026-10-05T12:00:00.000Z'],
    ['"2026-10-05T12:00:00+05:30"', '2026-10-05T06:30:00.000Z'],
    ['"1969-12-31T23:30:00-01:00"', '1970-01-01T00:30:00.000Z'],
    ['"2200-01-01T00:30:00+01:00"', '2199-12-31T23:30:00.000Z'],
    ['"2026-10-05T12:00:00-0800"', '2026-10-05T20:00:00.000Z'],
    ['"2026-10-05T00:15:00+01:00"', '2026-10-04T23:15:00.000Z'],
    ['"2026-10-05 12:00:00"', '2026-10-05T12:00:00.000Z'],
    ['"2026-10-05T12:00:00"', '2026-10-05T12:00:00.000Z'],
    ['"2026-10-05T12:00Z"', '2026-10-05T12:00:00.000Z'],
    ['"2026-10-05t12:00:00z"', '2026-10-05T12:00:00.000Z'],
    ['"2026-10-05T12:00:00.1Z"', '2026-10-05T12:00:00.100Z'],
    ['"2026-10-05T12:00:00,5Z"', '2026-10-05T12:00:00.500Z'],
    ['"2026-10-05T12:00:00.123456789Z"', '2026-10-05T12:00:00.123Z'],
    ['"2026-10-05T12:00:00.999999999-00:01"', '2026-10-05T12:01:00.999Z'],
    ['"2026-10-05T12:00:00\\u005a"', '2026-10-05T12:00:00.000Z'],
    ['"2024-02-29T00:00:00Z"', '2024-02-29T00:00:00.000Z'],
    ['"1970-01-01T00:00:00Z"', '1970-01-01T00:00:00.000Z'],
    ['"2199-12-31T23:59:59.999Z"', '2199-12-31T23:59:59.999Z'],
    ['1759665600', '2025-10-05T12:00:00.000Z'],
    ['1759665600.5', '2025-10-05T12:00:00.500Z'],
    ['0', '1970-01-01T00:00:00.000Z'],
  ])('%s is %s', (ts, iso) => {
    expect(accepted(line({ timestamp: ts })).timestamp).toBe(iso)
  })

  it('reads Unix seconds from their text: 1759665600.123 is exactly 1759665600123 ms', () => {
    expect(accepted(line({ timestamp: '1759665600.123' })).timestampMs).toBe(1759665600123)
    expect(accepted(line({ timestamp: '1759665600.1239999' })).timestampMs).toBe(1759665600123)
    expect(accepted(line({ timestamp: '1759665600.999999' })).timestampMs).toBe(1759665600999)
  })
})

const NOT_ISO = (s: string) => `expected an ISO-8601 timestamp like 2026-10-05T12:00:00Z, got "${s}"`
const NOT_UNIX = (s: string) => `expected Unix seconds as a plain non-negative number, got ${s}`
const NOT_TS = (what: string) => `expected an ISO-8601 string or Unix seconds, got ${what}`

describe('bad timestamps are rejected with the reason', () => {
  it.each([
    ['"2026-13-05T12:00:00Z"', 'month 13 is out of range in "2026-13-05T12:00:00Z"'],
    ['"2026-00-05T12:00:00Z"', 'month 00 is out of range in "2026-00-05T12:00:00Z"'],
    ['"2026-02-30T12:00:00Z"', 'day 30 is out of range in "2026-02-30T12:00:00Z"'],
    ['"2025-02-29T12:00:00Z"', 'day 29 is out of range in "2025-02-29T12:00:00Z"'],
    ['"2026-04-31T12:00:00Z"', 'day 31 is out of range in "2026-04-31T12:00:00Z"'],
    ['"1969-12-31T23:59:59Z"', 'timestamp 1969-12-31T23:59:59.000Z is outside 1970-01-01 .. 2199-12-31'],
    ['"2200-01-01T00:00:00Z"', 'timestamp 2200-01-01T00:00:00.000Z is outside 1970-01-01 .. 2199-12-31'],
    ['"1968-12-31T23:59:59Z"', 'year 1968 is outside 1970 .. 2199 in "1968-12-31T23:59:59Z"'],
    ['"1970-01-01T00:30:00+01:00"', 'timestamp 1969-12-31T23:30:00.000Z is outside 1970-01-01 .. 2199-12-31'],
    ['"2026-10-05T24:00:00Z"', 'time of day is out of range in "2026-10-05T24:00:00Z"'],
    ['"2026-10-05T12:60:00Z"', 'time of day is out of range in "2026-10-05T12:60:00Z"'],
    ['"2026-10-05T12:00:60Z"', 'time of day is out of range in "2026-10-05T12:00:60Z"'],
    ['"2026-10-05T12:00:00+24:00"', 'offset is out of range in "2026-10-05T12:00:00+24:00"'],
    ['"2026-10-05T12:00:00+05:60"', 'offset is out of range in "2026-10-05T12:00:00+05:60"'],
    ['"2026-10-05"', NOT_ISO('2026-10-05')],
    ['"2026-10-05T12:00:00.1234567890Z"', NOT_ISO('2026-10-05T12:00:00.1234567890Z')],
    ['"2026-10-05T12:00:00 Z"', NOT_ISO('2026-10-05T12:00:00 Z')],
    // A good timestamp with more after it, in the same string.
    ['"2026-10-05T12:00:00Zx"', NOT_ISO('2026-10-05T12:00:00Zx')],
    ['"2026-10-05T12:00:00.000Z0"', NOT_ISO('2026-10-05T12:00:00.000Z0')],
    ['"1759665600"', NOT_ISO('1759665600')],
    ['""', NOT_ISO('')],
    ['-1', NOT_UNIX('-1')],
    ['-1759665600', NOT_UNIX('-1759665600')],
    ['1.7e9', NOT_UNIX('1.7e9')],
    ['1759665600E0', NOT_UNIX('1759665600E0')],
    ['7258118400', 'timestamp 2200-01-01T00:00:00.000Z is outside 1970-01-01 .. 2199-12-31'],
    ['1759665600123', NOT_UNIX('1759665600123')],
    ['true', NOT_TS('a boolean')],
    ['null', NOT_TS('null')],
    ['{}', NOT_TS('an object')],
    ['[1]', NOT_TS('an array')],
    ['NaN', NOT_TS('something that is not JSON')],
    ['Infinity', NOT_TS('something that is not JSON')],
  ])('%s', (ts, reason) => {
    expect(verdict(line({ timestamp: ts }))).toEqual({ ok: false, field: 'timestamp', reason })
  })
})

const MISSING = 'missing (required)'
const NOT_STRING = (kind: string) => `expected a string, got ${kind}`
const NOT_SCALAR = (kind: string) => `expected a string, number or boolean, got ${kind}`
const EMPTY = 'must not be empty'
const props = (text: string) => line({ properties: text })

describe('other rejections name the field', () => {
  it.each([
    ['no transaction_id', line({ transaction_id: null }), 'transaction_id', MISSING],
    [
      'no customer',
      line({ customer: null }),
      'customer',
      'missing (required; external_customer_id is accepted as an alias)',
    ],
    ['no code', line({ code: null }), 'code', MISSING],
    ['no timestamp', line({ timestamp: null }), 'timestamp', MISSING],
    ['an empty object', '{}', 'transaction_id', MISSING],
    ['a numeric transaction_id', line({ transaction_id: '42' }), 'transaction_id', NOT_STRING('a number')],
    ['a null customer', line({ customer: 'null' }), 'customer', NOT_STRING('null')],
    ['a boolean code', line({ code: 'true' }), 'code', NOT_STRING('a boolean')],
    ['an array code', line({ code: '["x"]' }), 'code', NOT_STRING('an array')],
    ['an object customer', line({ customer: '{"id":"c"}' }), 'customer', NOT_STRING('an object')],
    ['an empty transaction_id', line({ transaction_id: '""' }), 'transaction_id', EMPTY],
    ['an empty customer', line({ customer: '""' }), 'customer', EMPTY],
    ['an empty code', line({ code: '""' }), 'code', EMPTY],
    ['an empty alias', line({ customer: null, external_customer_id: '""' }), 'external_customer_id', EMPTY],
    [
      'an over-long id',
      line({ code: `"${'x'.repeat(MAX_ID_BYTES - 1)}"` }),
      'code',
      `longer than ${MAX_ID_BYTES} bytes`,
    ],
    ['properties an array', props('[1]'), 'properties', 'expected an object, got an array'],
    ['properties a string', props('"a=1"'), 'properties', 'expected an object, got a string'],
    ['a nested property object', props('{"a":{"b":1}}'), 'properties.a', NOT_SCALAR('an object')],
    ['a nested property array', props('{"ok":1,"a":[1]}'), 'properties.a', NOT_SCALAR('an array')],
    ['a null property value', props('{"a":null}'), 'properties.a', NOT_SCALAR('null')],
    ['an empty property name', props('{"":1}'), 'properties', 'property names must not be empty'],
    ['a duplicate property', props('{"a":1,"b":2,"a":3}'), 'properties.a', 'duplicate property "a"'],
    ['an escaped duplicate property', props('{"a":1,"\\u0061":2}'), 'properties.a', 'duplicate property "a"'],
  ])('%s', (_, text, field, reason) => {
    expect(verdict(text)).toEqual({ ok: false, field, reason })
  })

  it('rejects a customer that differs from external_customer_id', () => {
    expect(verdict(line({ customer: '"a"', external_customer_id: '"b"' }))).toEqual({
      ok: false,
      field: 'external_customer_id',
      reason: 'differs from customer (send one of them, or the same value)',
    })
  })

  const head = '{"transaction_id":"t","customer":"c","code":"x","timestamp":1'
  it.each([
    ['transaction_id', `${head},"transaction_id":"b"}`],
    ['customer', `${head},"customer":"c"}`],
    ['customer', `${head},"cust\\u006fmer":"c"}`],
    ['external_customer_id', `${head},"external_customer_id":"c","external_customer_id":"c"}`],
    ['code', `${head},"code":"y"}`],
    ['timestamp', `${head},"timestamp":2}`],
    ['properties', `${head},"properties":null,"properties":{}}`],
    ['extra', `${head},"extra":1,"extra":{}}`],
  ])('a duplicate top-level key %s', (field, text) => {
    expect(verdict(text)).toEqual({ ok: false, field, reason: `duplicate key "${field}"` })
  })

  // Each case: the line, the reason after "not valid JSON: ", and the column or the text it points at.
  const good = line()
  const AFTER = 'unexpected characters after the object'
  it.each([
    ['trailing garbage', `${good} x`, AFTER, ' x'],
    ['a second closing brace', `${good}}`, AFTER, good.length + 1],
    ['two objects', `${good}${good}`, AFTER, good.length + 1],
    ['an unterminated object', good.slice(0, -1), "expected ',' or '}'", null],
    ['a trailing comma', `${good.slice(0, -1)},}`, 'expected a quoted key', good.length + 1],
    ['an unterminated string', '{"transaction_id":"t', 'unterminated string', null],
    [
      'a raw tab in a string',
      '{"transaction_id":"a\tb"}',
      'control character inside a string (it must be escaped)',
      '\t',
    ],
    ['a bad escape', '{"transaction_id":"a\\xb"}', 'invalid escape in a string', '\\x'],
    ['a bad \\u escape', '{"transaction_id":"a\\u12g4"}', 'invalid \\u escape in a string', '\\u'],
    ['NaN in properties', props('{"a":NaN}'), 'unexpected character', 'NaN'],
    ['Infinity in properties', props('{"a":Infinity}'), 'unexpected character', 'Inf'],
    ['-Infinity in properties', props('{"a":-Infinity}'), 'invalid number', '-Inf'],
    ['a leading zero', props('{"a":01}'), "expected ',' or '}' in properties", '1}'],
    ['a bare fraction', props('{"a":.5}'), 'unexpected character', '.5'],
    ['single quotes', "{'transaction_id':'t'}", 'expected a quoted key', "'"],
    ['a lone high surrogate', '{"transaction_id":"\\ud800"}', 'lone high surrogate in a \\u escape', '\\u'],
    ['a high surrogate + letter', '{"code":"\\uD800\\u0041"}', 'lone high surrogate in a \\u escape', '\\u'],
    ['a lone low surrogate', '{"code":"a\\udc00"}', 'lone low surrogate in a \\u escape', '\\u'],
    ['a reversed pair', '{"code":"\\udc00\\ud800"}', 'lone low surrogate in a \\u escape', '\\u'],
    ['a high surrogate + bad \\u', '{"code":"\\ud800\\u12g4"}', 'invalid \\u escape in a string', '\\u12'],
    ['bad JSON in an unknown key', line({ extra: '[1,]' }), 'unexpected character', ']}'],
  ])('%s is not JSON', (_, text, reason, at) => {
    const column = at === null ? text.length + 1 : typeof at === 'number' ? at : text.indexOf(at) + 1
    expect(verdict(text)).toEqual({
      ok: false,
      field: null,
      reason: `not valid JSON: ${reason} at column ${column}`,
    })
  })

  it.each(['[1]', 'hello', '"a string"'])('%j is not an object', (text) => {
    expect(verdict(text)).toEqual({
      ok: false,
      field: null,
      reason: 'not valid JSON: expected an object starting with {',
    })
  })

  it.each(['', '   ', '\t \r'])('an empty line %j', (text) => {
    expect(verdict(text)).toEqual({ ok: false, field: null, reason: 'empty line' })
  })
})
