// The rules of one event line. A line is good only when every rule holds; otherwise the verdict
// names the field and what was expected, and the line goes to the rejects file.
import { isoTimestampMs, parseIsoTimestamp, parseUnixSeconds, unixSecondsMs } from './timestamp.js'
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

/** The event keys we read, by their index (a `Field`). */
const KEYS = [
  'transaction_id',
  'customer',
  'external_customer_id',
  'code',
  'timestamp',
  'properties',
] as const
export const TRANSACTION_ID = 0
export const CUSTOMER = 1
export const EXTERNAL_CUSTOMER_ID = 2
export const CODE = 3
export const TIMESTAMP = 4
export const PROPERTIES = 5
const KEY_BYTES = KEYS.map((k) => Buffer.from(`"${k}"`))

/** What a property value is: its text goes to the store as written, or decoded for strings. */
export const STRING = 0
export const ESCAPED_STRING = 1
export const NUMBER = 2
export const BOOLEAN = 3

/**
 * A good event line, as byte offsets into the buffer it was read from. Parsing fills one instance
 * again for every line (no allocation per line), so use it before the next line is parsed.
 */
export class EventLine {
  readonly ok = true
  /** Per field: the value's span, quotes included for strings; start is -1 when the key is absent. */
  readonly starts = new Int32Array(KEYS.length)
  readonly ends = new Int32Array(KEYS.length)
  /** Per field: whether the string value has escapes (the store must get it decoded). */
  readonly escaped = new Uint8Array(KEYS.length)
  /** CUSTOMER, or EXTERNAL_CUSTOMER_ID when that alias was sent alone. */
  customerField = CUSTOMER
  timestampMs = 0
  propertyCount = 0
  /** Per property k: name span at [2k, 2k + 1] (quotes included); the value's span likewise. */
  readonly names = new Int32Array(2 * MAX_PROPERTIES)
  readonly values = new Int32Array(2 * MAX_PROPERTIES)
  readonly nameEscaped = new Uint8Array(MAX_PROPERTIES)
  /** STRING, ESCAPED_STRING, NUMBER or BOOLEAN. */
  readonly valueKinds = new Uint8Array(MAX_PROPERTIES)

  /** The span of a field's value, or null when absent (and for `"properties": null`). */
  span(field: number): Span | null {
    return this.starts[field]! >= 0 ? { start: this.starts[field]!, end: this.ends[field]! } : null
  }
}

export interface EventRejection {
  ok: false
  field: string | null
  reason: string
}

export type EventVerdict = EventLine | EventRejection

const reject = (field: string | null, reason: string): EventRejection => ({ ok: false, field, reason })

const shared = new EventLine()

/**
 * Parses the event line in `b[start, end)` (no newline, already known to be valid UTF-8). A good line
 * comes back as `into`, filled in.
 */
export function parseEventLine(
  b: Buffer,
  start: number,
  end: number,
  into: EventLine = shared,
): EventVerdict {
  try {
    return parseObject(b, start, end, into)
  } catch (e) {
    if (e instanceof JsonScanError)
      return reject(null, `not valid JSON: ${e.message} at column ${e.at - start + 1}`)
    throw e
  }
}

const key: StringSpan = { start: 0, end: 0, escaped: false }
const value: StringSpan = { start: 0, end: 0, escaped: false }

function parseObject(b: Buffer, start: number, end: number, line: EventLine): EventVerdict {
  let i = skipWhitespace(b, start, end)
  if (i >= end) return reject(null, 'empty line')
  if (b[i] !== 0x7b) return reject(null, 'not valid JSON: expected an object starting with {')
  const starts = line.starts
  // By hand: fill() on six entries cost more than the assignments, once per line.
  for (let f = 0; f < starts.length; f++) starts[f] = -1
  line.propertyCount = 0
  let seen = 0 // bit per field, so that `"properties": null` twice is still a duplicate
  let otherKeys: Set<string> | undefined

  i = skipWhitespace(b, i + 1, end)
  if (b[i] === 0x7d) i++
  else
    for (;;) {
      if (b[i] !== 0x22) throw new JsonScanError('expected a quoted key', i)
      let field = literalKey(b, i, end)
      if (field >= 0) {
        key.start = i
        key.end = i + KEY_BYTES[field]!.length
        key.escaped = false
      } else {
        scanString(b, i, end, key)
        // Written plainly, one of ours matched above: only an escaped spelling can still be one.
        field = key.escaped ? (KEYS as readonly string[]).indexOf(decodeString(b, key)) : -1
      }
      i = skipWhitespace(b, key.end, end)
      if (b[i] !== 0x3a) throw new JsonScanError("expected ':' after a key", i)
      i = skipWhitespace(b, i + 1, end)
      if (field < 0) {
        const text = decodeString(b, key)
        otherKeys ??= new Set()
        if (otherKeys.has(text)) return reject(text, `duplicate key "${text}"`)
        otherKeys.add(text)
        i = skipValue(b, i, end)
      } else {
        if (seen & (1 << field)) return reject(KEYS[field]!, `duplicate key "${KEYS[field]!}"`)
        seen |= 1 << field
        const after = fieldValue(b, i, end, line, field)
        if (typeof after !== 'number') return after
        // `"properties": null` is as if absent (fieldValue took a value starting with n as null).
        if (field !== PROPERTIES || b[i] !== 0x6e) {
          starts[field] = i
          line.ends[field] = after
        }
        i = after
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
  if (skipWhitespace(b, i, end) !== end) throw new JsonScanError('unexpected characters after the object', i)
  return withRequiredFields(b, line, seen)
}

/**
 * Reads the value of one of KEYS at `i` into `line`; returns the index past it, or the rejection.
 * The caller records its span.
 */
function fieldValue(
  b: Buffer,
  i: number,
  end: number,
  line: EventLine,
  field: number,
): number | EventRejection {
  if (field === TIMESTAMP) return readTimestamp(b, i, end, line)
  const name = KEYS[field]!
  const c = b[i]
  if (field === PROPERTIES) {
    if (c === 0x7b) return scanProperties(b, i, end, line)
    if (c === 0x6e) return skipValue(b, i, end)
    return reject(name, `expected an object, got ${describe(kindAt(b, i))}`)
  }
  if (c !== 0x22) return reject(name, `expected a string, got ${describe(kindAt(b, i))}`)
  scanString(b, i, end, value)
  const after = value.end
  if (after - i <= 2) return reject(name, 'must not be empty')
  if (after - i > MAX_ID_BYTES) return reject(name, `longer than ${MAX_ID_BYTES} bytes`)
  line.escaped[field] = value.escaped ? 1 : 0
  return after
}

/** The line, once every required field is there and the customer is named at most one way. */
function withRequiredFields(b: Buffer, line: EventLine, seen: number): EventVerdict {
  const starts = line.starts
  if (starts[TRANSACTION_ID]! < 0) return reject('transaction_id', 'missing (required)')
  const hasCustomer = starts[CUSTOMER]! >= 0
  const hasAlias = starts[EXTERNAL_CUSTOMER_ID]! >= 0
  if (!hasCustomer && !hasAlias)
    return reject('customer', 'missing (required; external_customer_id is accepted as an alias)')
  if (starts[CODE]! < 0) return reject('code', 'missing (required)')
  if (!(seen & (1 << TIMESTAMP))) return reject('timestamp', 'missing (required)')
  if (hasCustomer && hasAlias && fieldText(b, line, CUSTOMER) !== fieldText(b, line, EXTERNAL_CUSTOMER_ID)) {
    return reject('external_customer_id', 'differs from customer (send one of them, or the same value)')
  }
  line.customerField = hasCustomer ? CUSTOMER : EXTERNAL_CUSTOMER_ID
  return line
}

/** Reads the timestamp value at `i` into `line`; returns the index past it, or why the line is rejected. */
function readTimestamp(b: Buffer, i: number, end: number, line: EventLine): number | EventRejection {
  const c = b[i]
  if (c === 0x22) {
    // The common exact shapes, 24 or 20 characters, straight from the bytes. A span that
    // isoTimestampMs takes holds only digits and - T : . Z, so no quote before the one that closes
    // it, nor a backslash or a control character: the string needs no scan of its own.
    for (let len = 24; len >= 20; len -= 4) {
      const close = i + 1 + len
      if (close >= end || b[close] !== 0x22) continue
      const ms = isoTimestampMs(b, i + 1, close)
      if (ms < 0) continue
      line.timestampMs = ms
      return close + 1
    }
    // Anything else through the full grammar.
    scanString(b, i, end, value)
    const ts = parseIsoTimestamp(decodeString(b, value))
    if (!ts.ok) return reject('timestamp', ts.reason)
    line.timestampMs = ts.ms
    return value.end
  }
  if (c === 0x2d || (c! >= 0x30 && c! <= 0x39)) {
    const after = scanNumber(b, i, end)
    const ms = unixSecondsMs(b, i, after)
    if (ms >= 0) line.timestampMs = ms
    else {
      const ts = parseUnixSeconds(b.toString('latin1', i, after))
      if (!ts.ok) return reject('timestamp', ts.reason)
      line.timestampMs = ts.ms
    }
    return after
  }
  return reject('timestamp', `expected an ISO-8601 string or Unix seconds, got ${describe(kindAt(b, i))}`)
}

/**
 * Properties are a flat object of strings, numbers and booleans with unique, non-empty names.
 * Returns the index past the object, or why the line is rejected.
 */
function scanProperties(b: Buffer, start: number, end: number, line: EventLine): number | EventRejection {
  const names = line.names
  const values = line.values
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
    if (count === MAX_PROPERTIES) return reject('properties', `more than ${MAX_PROPERTIES} properties`)
    anyEscaped ||= key.escaped
    names[2 * count] = key.start
    names[2 * count + 1] = key.end
    line.nameEscaped[count] = key.escaped ? 1 : 0
    count++
    line.propertyCount = count
    const duplicate = duplicateName(b, line, anyEscaped)
    if (duplicate !== '') return reject(`properties.${duplicate}`, `duplicate property "${duplicate}"`)
    i = skipWhitespace(b, key.end, end)
    if (b[i] !== 0x3a) throw new JsonScanError("expected ':' after a property name", i)
    i = skipWhitespace(b, i + 1, end)
    const valueStart = i
    const c = b[i]
    let kind: number
    if (c === 0x22) {
      scanString(b, i, end, value)
      i = value.end
      kind = value.escaped ? ESCAPED_STRING : STRING
    } else if (c === 0x2d || (c! >= 0x30 && c! <= 0x39)) {
      i = scanNumber(b, i, end)
      kind = NUMBER
    } else if (c === 0x74 || c === 0x66) {
      i = skipValue(b, i, end)
      kind = BOOLEAN
    } else {
      skipValue(b, i, end) // a line that is not JSON at all is reported as such first
      return reject(
        `properties.${decodeString(b, key)}`,
        `expected a string, number or boolean, got ${describe(kindAt(b, i))}`,
      )
    }
    values[2 * count - 2] = valueStart
    values[2 * count - 1] = i
    line.valueKinds[count - 1] = kind
    i = skipWhitespace(b, i, end)
    if (b[i] === 0x7d) return i + 1
    if (b[i] !== 0x2c) throw new JsonScanError("expected ',' or '}' in properties", i)
    i = skipWhitespace(b, i + 1, end)
  }
}

/** The name of the newest property when an earlier one has the same name, else ''. */
function duplicateName(b: Buffer, line: EventLine, anyEscaped: boolean): string {
  const names = line.names
  const last = line.propertyCount - 1
  const s = names[2 * last]!
  const e = names[2 * last + 1]!
  if (anyEscaped) {
    const name = decodeString(b, { start: s, end: e })
    for (let k = 0; k < last; k++)
      if (decodeString(b, { start: names[2 * k]!, end: names[2 * k + 1]! }) === name) return name
    return ''
  }
  outer: for (let k = 0; k < last; k++) {
    const ks = names[2 * k]!
    if (names[2 * k + 1]! - ks !== e - s) continue
    for (let j = 1; j < e - s - 1; j++) if (b[ks + j] !== b[s + j]) continue outer
    return decodeString(b, { start: s, end: e, escaped: false })
  }
  return ''
}

/**
 * The field whose key is written at `i` exactly as KEY_BYTES has it (quotes included, no escapes),
 * or -1: one pass over the bytes, instead of scanning the string and then comparing it. Any other
 * key is scanned; an escaped one is decoded and looked up in KEYS.
 */
function literalKey(b: Buffer, i: number, end: number): number {
  const c = b[i + 1]
  const k =
    c === 0x74
      ? b[i + 2] === 0x72
        ? TRANSACTION_ID
        : TIMESTAMP
      : c === 0x63
        ? b[i + 2] === 0x75
          ? CUSTOMER
          : CODE
        : c === 0x70
          ? PROPERTIES
          : c === 0x65
            ? EXTERNAL_CUSTOMER_ID
            : -1
  if (k < 0) return -1
  const expected = KEY_BYTES[k]!
  if (i + expected.length > end) return -1
  for (let j = 2; j < expected.length; j++) if (b[i + j] !== expected[j]) return -1
  return k
}

/** The decoded text of a JSON string literal (quotes included in the span). */
export function decodeString(b: Buffer, s: { start: number; end: number; escaped?: boolean }): string {
  if (s.escaped === false) return b.toString('utf8', s.start + 1, s.end - 1)
  return JSON.parse(b.toString('utf8', s.start, s.end)) as string
}

function fieldText(b: Buffer, line: EventLine, field: number): string {
  return decodeString(b, {
    start: line.starts[field]!,
    end: line.ends[field]!,
    escaped: line.escaped[field] === 1,
  })
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
