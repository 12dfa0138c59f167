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

/**
 * The fast path of parseUnixSeconds, straight from the number's bytes: milliseconds, or -1 when the
 * text is not plain digits with an optional fraction, or out of range (the regex path then says why).
 */
export function unixSecondsMs(b: Uint8Array, start: number, end: number): number {
  let seconds = 0
  let i = start
  for (; i < end && i - start <= 11; i++) {
    const d = b[i]! - 48
    if (d < 0 || d > 9) break
    seconds = seconds * 10 + d
  }
  if (i === start || i - start > 11) return -1
  let millis = 0
  if (i < end) {
    if (b[i] !== 0x2e || i + 1 === end) return -1
    for (let k = i + 1, scale = 100; k < end; k++, scale /= 10) {
      const d = b[k]! - 48
      if (d < 0 || d > 9) return -1
      if (scale >= 1) millis += d * scale
    }
  }
  const ms = seconds * 1000 + millis
  return ms >= MIN_TIMESTAMP_MS && ms < MAX_TIMESTAMP_MS ? ms : -1
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
 * The fast path for the common shape `YYYY-MM-DDTHH:MM:SS[.fff]Z` read straight from bytes: the
 * milliseconds, or -1 for any other shape or an invalid or out-of-range instant (the full grammar
 * above then decides, and says why).
 */
export function isoTimestampMs(b: Uint8Array, start: number, end: number): number {
  const len = end - start
  if ((len !== 20 && len !== 24) || b[end - 1] !== 0x5a) return -1
  const s = start
  // Digits as numbers; a non-digit byte gives a value outside 0..9 and fails the checks below.
  const y = (b[s]! - 48) * 1000 + (b[s + 1]! - 48) * 100 + (b[s + 2]! - 48) * 10 + (b[s + 3]! - 48)
  const mo = (b[s + 5]! - 48) * 10 + (b[s + 6]! - 48)
  const d = (b[s + 8]! - 48) * 10 + (b[s + 9]! - 48)
  const h = (b[s + 11]! - 48) * 10 + (b[s + 12]! - 48)
  const mi = (b[s + 14]! - 48) * 10 + (b[s + 15]! - 48)
  const se = (b[s + 17]! - 48) * 10 + (b[s + 18]! - 48)
  const ms = len === 24 ? (b[s + 20]! - 48) * 100 + (b[s + 21]! - 48) * 10 + (b[s + 22]! - 48) : 0
  const shape =
    b[s + 4] === 0x2d &&
    b[s + 7] === 0x2d &&
    b[s + 10] === 0x54 &&
    b[s + 13] === 0x3a &&
    b[s + 16] === 0x3a &&
    (len === 20 || b[s + 19] === 0x2e) &&
    allDigits(b, s, len)
  if (!shape || y < 1970 || y >= 2200 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return -1
  if (h > 23 || mi > 59 || se > 59) return -1
  const t = (((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60 + se) * 1000 + ms
  return t >= MIN_TIMESTAMP_MS && t < MAX_TIMESTAMP_MS ? t : -1
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (years from 1 on), in integer
 * arithmetic: several times cheaper than Date.UTC, which dominated this fast path.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

function allDigits(b: Uint8Array, s: number, len: number): boolean {
  const positions = len === 20 ? DIGITS_20 : DIGITS_24
  for (let k = 0; k < positions.length; k++) {
    const c = b[s + positions[k]!]!
    if (c < 48 || c > 57) return false
  }
  return true
}

const DIGITS_20 = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
const DIGITS_24 = [...DIGITS_20, 20, 21, 22]

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}
