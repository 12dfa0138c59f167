// The rules of one event line. A line is good only when every rule holds; otherwise the verdict
// names the field and what was expected, and the line goes to the rejects file.
import { parseIsoTimestamp, parseIsoTimestampBytes, parseUnixSeconds } from './timestamp.js'
import {
  JsonScanError,
  kindAt,
  scanNumber,
  scanString,
  skipValue,
  skipWhitespace,
  type StringSpan,
} from './json-scan.js'

/** Longest id, code or property name, in bytes of its JSON text. */
export const MAX_ID_BYTES = 512
export const MAX_PROPERTIES = 100

export interface Span {
  start: number
  end: number
}

export interface EventSpans {
  ok: true
  /** JSON string literals (quotes included), exactly as they were written. */
  customer: Span
  transactionId: Span
  code: Span
  timestampMs: number
  /** The `properties` object's JSON text, or null when there is none. */
  properties: Span | null
  /** The whole object, from `{` to `}`. */
  object: Span
  /** Whether a property value is a boolean (stored as the text "true" or "false"). */
  booleans: boolean
  /**
   * Whether the engine can read the line as written (see src/ingest/validate-chunk.ts): false when a
   * known key is spelled with escapes, properties is null, or a key would shadow a staging column.
   */
  verbatim: boolean
}

export interface EventRejection {
  ok: false
  field: string | null
  reason: string
}

export type EventVerdict = EventSpans | EventRejection

const KEYS = [
  'transaction_id',
  'customer',
  'external_customer_id',
  'code',
  'timestamp',
  'properties',
] as const
const [TRANSACTION_ID, CUSTOMER, EXTERNAL_CUSTOMER_ID, CODE, TIMESTAMP, PROPERTIES] = [0, 1, 2, 3, 4, 5]
const KEY_BYTES = KEYS.map((k) => Buffer.from(`"${k}"`))
/**
 * The staging columns (src/store/event-sql.ts). The engine matches JSON keys to them without regard to
 * case, so a line with another key that lowercases to one ("CODE", "ts") is rewritten, not copied.
 */
const STAGING_COLUMNS = new Set([
  'customer',
  'external_customer_id',
  'transaction_id',
  'code',
  'ts',
  'seq',
  'properties',
])
const foundStarts = new Int32Array(KEYS.length)
const foundEnds = new Int32Array(KEYS.length)

const reject = (field: string | null, reason: string): EventRejection => ({ ok: false, field, reason })

/** Parses the event line in `b[start, end)` (no newline, already known to be valid UTF-8). */
export function parseEventLine(b: Buffer, start: number, end: number): EventVerdict {
  try {
    return parseObject(b, start, end)
  } catch (e) {
    if (e instanceof JsonScanError)
      return reject(null, `not valid JSON: ${e.message} at column ${e.at - start + 1}`)
    throw e
  }
}

function parseObject(b: Buffer, start: number, end: number): EventVerdict {
  let i = skipWhitespace(b, start, end)
  if (i >= end) return reject(null, 'empty line')
  if (b[i] !== 0x7b) return reject(null, 'not valid JSON: expected an object starting with {')
  // Spans of the known keys, by their index in KEYS (-1: not seen); typed arrays keep this loop monomorphic.
  const starts = foundStarts.fill(-1)
  const ends = foundEnds
  const objectStart = i
  let verbatim = true
  let otherKeys: Set<string> | undefined
  let timestampMs: number | undefined
  let properties: Span | null = null
  const key: StringSpan = { start: 0, end: 0, escaped: false }
  const value: StringSpan = { start: 0, end: 0, escaped: false }

  i = skipWhitespace(b, i + 1, end)
  if (b[i] === 0x7d) i++
  else
    for (;;) {
      if (b[i] !== 0x22) throw new JsonScanError('expected a quoted key', i)
      scanString(b, i, end, key)
      i = skipWhitespace(b, key.end, end)
      if (b[i] !== 0x3a) throw new JsonScanError("expected ':' after a key", i)
      i = skipWhitespace(b, i + 1, end)
      const index = knownKey(b, key)
      const kind = kindAt(b, i)
      if (index < 0) {
        const text = decodeString(b, key)
        otherKeys ??= new Set()
        if (otherKeys.has(text)) return reject(text, `duplicate key "${text}"`)
        otherKeys.add(text)
        if (STAGING_COLUMNS.has(text.toLowerCase())) verbatim = false
        i = skipValue(b, i, end)
      } else {
        const name = KEYS[index]!
        if (starts[index]! >= 0) return reject(name, `duplicate key "${name}"`)
        if (key.escaped) verbatim = false
        const valueStart = i
        if (name === 'timestamp') {
          if (kind === 'string') {
            scanString(b, i, end, value)
            i = value.end
          } else if (kind === 'number') i = scanNumber(b, i, end)
          else
            return reject('timestamp', `expected an ISO-8601 string or Unix seconds, got ${describe(kind)}`)
          const ts = timestampOf(b, valueStart, i, value)
          if (!ts.ok) return reject('timestamp', ts.reason)
          timestampMs = ts.ms
        } else if (name === 'properties') {
          if (kind === 'object') {
            const after = scanProperties(b, i, end)
            if (typeof after !== 'number') return after
            properties = { start: valueStart, end: after }
            // Older servers cannot read a JSON boolean into a String: such lines are rewritten.
            if (sawBoolean) verbatim = false
            i = after
          } else if (kind === 'null') {
            i = skipValue(b, i, end)
            verbatim = false
          } else return reject('properties', `expected an object, got ${describe(kind)}`)
        } else {
          if (kind !== 'string') return reject(name, `expected a string, got ${describe(kind)}`)
          scanString(b, i, end, value)
          i = value.end
          if (value.end - value.start <= 2) return reject(name, 'must not be empty')
          if (value.end - value.start > MAX_ID_BYTES) return reject(name, `longer than ${MAX_ID_BYTES} bytes`)
        }
        starts[index] = valueStart
        ends[index] = i
      }
      i = skipWhitespace(b, i, end)
      if (b[i] === 0x2c) {
        i = skipWhitespace(b, i + 1, end)
        continue
      }
      if (b[i] === 0x7d) {
        i++
        break
      }
      throw new JsonScanError("expected ',' or '}'", i)
    }
  const object = { start: objectStart, end: i }
  if (skipWhitespace(b, i, end) !== end) throw new JsonScanError('unexpected characters after the object', i)

  const span = (k: number): Span | undefined =>
    starts[k]! >= 0 ? { start: starts[k]!, end: ends[k]! } : undefined
  const transactionId = span(TRANSACTION_ID)
  const customer = span(CUSTOMER) ?? span(EXTERNAL_CUSTOMER_ID)
  const code = span(CODE)
  if (!transactionId) return reject('transaction_id', 'missing (required)')
  if (!customer) return reject('customer', 'missing (required; external_customer_id is accepted as an alias)')
  if (!code) return reject('code', 'missing (required)')
  if (timestampMs === undefined) return reject('timestamp', 'missing (required)')
  if (starts[CUSTOMER]! >= 0 && starts[EXTERNAL_CUSTOMER_ID]! >= 0) {
    if (!sameString(b, span(CUSTOMER)!, span(EXTERNAL_CUSTOMER_ID)!)) {
      return reject('external_customer_id', 'differs from customer (send one of them, or the same value)')
    }
  }
  const booleans = properties !== null && sawBoolean
  return { ok: true, customer, transactionId, code, timestampMs, properties, object, verbatim, booleans }
}

function timestampOf(b: Buffer, start: number, end: number, str: StringSpan) {
  if (b[start] !== 0x22) return parseUnixSeconds(b.toString('latin1', start, end))
  if (!str.escaped) return parseIsoTimestampBytes(b, start + 1, end - 1)
  return parseIsoTimestamp(decodeString(b, str))
}

/**
 * Properties are a flat object of strings, numbers and booleans with unique, non-empty names.
 * Returns the index past the object, or why the line is rejected.
 */
function scanProperties(b: Buffer, start: number, end: number): number | EventRejection {
  sawBoolean = false
  const key: StringSpan = { start: 0, end: 0, escaped: false }
  let count = 0
  let anyEscaped = false
  let i = skipWhitespace(b, start + 1, end)
  if (b[i] === 0x7d) return i + 1
  for (;;) {
    if (b[i] !== 0x22) throw new JsonScanError('expected a quoted property name', i)
    scanString(b, i, end, key)
    if (key.end - key.start <= 2) return reject('properties', 'property names must not be empty')
    if (key.end - key.start > MAX_ID_BYTES)
      return reject('properties', `a property name is longer than ${MAX_ID_BYTES} bytes`)
    if (++count > MAX_PROPERTIES) return reject('properties', `more than ${MAX_PROPERTIES} properties`)
    anyEscaped ||= key.escaped
    nameStarts[count - 1] = key.start
    nameEnds[count - 1] = key.end
    const duplicate = decodeIfDuplicate(b, count, anyEscaped)
    if (duplicate !== '') return reject(`properties.${duplicate}`, `duplicate property "${duplicate}"`)
    i = skipWhitespace(b, key.end, end)
    if (b[i] !== 0x3a) throw new JsonScanError("expected ':' after a property name", i)
    i = skipWhitespace(b, i + 1, end)
    const kind = kindAt(b, i)
    if (kind === 'string') {
      scanString(b, i, end, scratchValue)
      i = scratchValue.end
    } else if (kind === 'number') i = scanNumber(b, i, end)
    else if (kind === 'true' || kind === 'false') {
      i = skipValue(b, i, end)
      sawBoolean = true
    } else {
      skipValue(b, i, end) // a line that is not JSON at all is reported as such first
      return reject(
        `properties.${decodeString(b, key)}`,
        `expected a string, number or boolean, got ${describe(kind)}`,
      )
    }
    i = skipWhitespace(b, i, end)
    if (b[i] === 0x7d) return i + 1
    if (b[i] !== 0x2c) throw new JsonScanError("expected ',' or '}' in properties", i)
    i = skipWhitespace(b, i + 1, end)
  }
}

/** Set by scanProperties: the object it scanned had a boolean value. */
let sawBoolean = false
const scratchValue: StringSpan = { start: 0, end: 0, escaped: false }
const nameStarts = new Int32Array(MAX_PROPERTIES)
const nameEnds = new Int32Array(MAX_PROPERTIES)

/** The name of the newest property when an earlier one has the same name, else ''. */
function decodeIfDuplicate(b: Buffer, count: number, anyEscaped: boolean): string {
  const last = count - 1
  const s = nameStarts[last]!
  const e = nameEnds[last]!
  if (anyEscaped) {
    const name = decodeString(b, { start: s, end: e })
    for (let k = 0; k < last; k++)
      if (decodeString(b, { start: nameStarts[k]!, end: nameEnds[k]! }) === name) return name
    return ''
  }
  outer: for (let k = 0; k < last; k++) {
    const ks = nameStarts[k]!
    if (nameEnds[k]! - ks !== e - s) continue
    for (let j = 1; j < e - s - 1; j++) if (b[ks + j] !== b[s + j]) continue outer
    return decodeString(b, { start: s, end: e, escaped: false })
  }
  return ''
}

/** The index in KEYS of a key, or -1 for any other key. */
function knownKey(b: Buffer, key: StringSpan): number {
  if (key.escaped) return (KEYS as readonly string[]).indexOf(decodeString(b, key))
  const len = key.end - key.start - 2
  const first = b[key.start + 1]
  const k =
    len === 14 && first === 0x74
      ? TRANSACTION_ID
      : len === 8 && first === 0x63
        ? CUSTOMER
        : len === 20 && first === 0x65
          ? EXTERNAL_CUSTOMER_ID
          : len === 4 && first === 0x63
            ? CODE
            : len === 9 && first === 0x74
              ? TIMESTAMP
              : len === 10 && first === 0x70
                ? PROPERTIES
                : -1
  if (k < 0) return -1
  const expected = KEY_BYTES[k]!
  for (let j = 2; j <= len; j++) if (expected[j] !== b[key.start + j]) return -1
  return k
}

function decodeString(b: Buffer, s: { start: number; end: number; escaped?: boolean }): string {
  if (s.escaped === false) return b.toString('utf8', s.start + 1, s.end - 1)
  return JSON.parse(b.toString('utf8', s.start, s.end)) as string
}

function sameString(b: Buffer, x: Span, y: Span): boolean {
  return decodeString(b, x) === decodeString(b, y)
}

function describe(kind: string | undefined): string {
  if (kind === 'true' || kind === 'false') return 'a boolean'
  if (kind === 'null') return 'null'
  if (kind === 'object') return 'an object'
  if (kind === 'array') return 'an array'
  if (kind === 'number') return 'a number'
  if (kind === 'string') return 'a string'
  return 'something that is not JSON'
}
