// Event timestamps: an ISO-8601 string with any offset (none means UTC) or Unix seconds as a number.
// Both become integer milliseconds since the epoch, in UTC; digits past the millisecond are dropped.

/** Earliest and latest instants we store (DateTime64(3) covers more; this keeps typos out). */
export const MIN_TIMESTAMP_MS = 0 // 1970-01-01T00:00:00Z
export const MAX_TIMESTAMP_MS = Date.UTC(2200, 0, 1)

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/

export type TimestampResult = { ok: true; ms: number } | { ok: false; reason: string }

export function parseIsoTimestamp(text: string): TimestampResult {
  const m = ISO.exec(text)
  if (!m)
    return {
      ok: false,
      reason: `expected an ISO-8601 timestamp like 2026-10-05T12:00:00Z, got "${clip(text)}"`,
    }
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as number[]
  const second = m[6] === undefined ? 0 : Number(m[6])
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'))
  // Date.UTC reads years 0-99 as 1900-1999, so years far out of range never reach it; the exact range
  // is checked on the UTC instant (an offset can move 1969-12-31 local time into 1970).
  if (year! < 1969 || year! > 2200)
    return { ok: false, reason: `year ${m[1]} is outside 1970 .. 2199 in "${text}"` }
  if (month! < 1 || month! > 12) return { ok: false, reason: `month ${m[2]} is out of range in "${text}"` }
  if (day! < 1 || day! > daysInMonth(year!, month!))
    return { ok: false, reason: `day ${m[3]} is out of range in "${text}"` }
  if (hour! > 23 || minute! > 59 || second > 59)
    return { ok: false, reason: `time of day is out of range in "${text}"` }
  let offsetMinutes = 0
  if (m[9] !== undefined) {
    const oh = Number(m[10])
    const om = Number(m[11])
    if (oh > 23 || om > 59) return { ok: false, reason: `offset is out of range in "${text}"` }
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om)
  }
  const ms = Date.UTC(year!, month! - 1, day!, hour!, minute!, second, millis) - offsetMinutes * 60_000
  return inRange(ms)
}

const UNIX_SECONDS = /^(\d{1,11})(?:\.(\d+))?$/

/** Unix seconds, from the number's exact source text (so 1759665600.123 is exactly ...123 ms). */
export function parseUnixSeconds(numberText: string): TimestampResult {
  const m = UNIX_SECONDS.exec(numberText)
  if (!m)
    return {
      ok: false,
      reason: `expected Unix seconds as a plain non-negative number, got ${clip(numberText)}`,
    }
  const ms = Number(m[1]) * 1000 + (m[2] === undefined ? 0 : Number(m[2].slice(0, 3).padEnd(3, '0')))
  return inRange(ms)
}

function inRange(ms: number): TimestampResult {
  if (ms < MIN_TIMESTAMP_MS || ms >= MAX_TIMESTAMP_MS) {
    return {
      ok: false,
      reason: `timestamp ${new Date(ms).toISOString()} is outside 1970-01-01 .. 2199-12-31`,
    }
  }
  return { ok: true, ms }
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return month === 2 && leap ? 29 : DAYS[month - 1]!
}

/**
 * The fast path for the common shape `YYYY-MM-DDTHH:MM:SS[.fff]Z` read straight from bytes; any other
 * shape (offsets, fewer or more digits) falls back to the full ISO grammar above.
 */
export function parseIsoTimestampBytes(b: Uint8Array, start: number, end: number): TimestampResult {
  const len = end - start
  if (
    (len === 20 || len === 24) &&
    b[start + len - 1] === 0x5a &&
    b[start + 4] === 0x2d &&
    b[start + 7] === 0x2d
  ) {
    const d = (k: number) => b[start + k]! - 0x30
    const two = (k: number) => d(k) * 10 + d(k + 1)
    const sepOk = b[start + 10] === 0x54 && b[start + 13] === 0x3a && b[start + 16] === 0x3a
    const fracOk = len === 20 || b[start + 19] === 0x2e
    let digitsOk = true
    for (const k of len === 20 ? DIGITS_20 : DIGITS_24) if (d(k) < 0 || d(k) > 9) digitsOk = false
    if (sepOk && fracOk && digitsOk) {
      const year = d(0) * 1000 + d(1) * 100 + two(2)
      const month = two(5)
      const day = two(8)
      const [hour, minute, second] = [two(11), two(14), two(17)]
      if (
        year >= 1970 &&
        year < 2200 &&
        month >= 1 &&
        month <= 12 &&
        day >= 1 &&
        day <= daysInMonth(year, month)
      ) {
        if (hour <= 23 && minute <= 59 && second <= 59) {
          const millis = len === 24 ? d(20) * 100 + d(21) * 10 + d(22) : 0
          return inRange(Date.UTC(year, month - 1, day, hour, minute, second, millis))
        }
      }
    }
  }
  return parseIsoTimestamp(Buffer.from(b.buffer, b.byteOffset + start, len).toString('utf8'))
}

const DIGITS_20 = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
const DIGITS_24 = [...DIGITS_20, 20, 21, 22]

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}
