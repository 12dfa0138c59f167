import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_TIMESTAMP_MS,
  MIN_TIMESTAMP_MS,
  parseIsoTimestamp,
  isoTimestampMs,
  parseUnixSeconds,
  unixSecondsMs,
} from '../../src/events/timestamp.js'

const DAY_MS = 86_400_000
const instant = fc.integer({ min: MIN_TIMESTAMP_MS, max: MAX_TIMESTAMP_MS - 1 })

/**
 * Parses `text` from the middle of a larger buffer as the event parser does: the fast path on the
 * bytes, and the full grammar when it declines.
 */
function fromBytes(text: string) {
  const b = Buffer.from(`xx"${text}"yy`)
  const ms = isoTimestampMs(b, 3, b.length - 3)
  return ms >= 0 ? { ok: true, ms } : parseIsoTimestamp(text)
}

/** The same instant written as local time at `offsetMinutes` east of UTC. */
function withOffset(ms: number, offsetMinutes: number, colon: boolean): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23)
  const abs = Math.abs(offsetMinutes)
  const hh = String(Math.floor(abs / 60)).padStart(2, '0')
  const mm = String(abs % 60).padStart(2, '0')
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${hh}${colon ? ':' : ''}${mm}`
}

const unixText = (ms: number) => `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`

describe('the three timestamp readers agree', () => {
  it('toISOString() read as a string, as bytes and as Unix seconds gives the same ms', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        const iso = new Date(ms).toISOString()
        expect(parseIsoTimestamp(iso)).toEqual({ ok: true, ms })
        expect(fromBytes(iso)).toEqual({ ok: true, ms })
        expect(parseUnixSeconds(unixText(ms))).toEqual({ ok: true, ms })
      }),
      { numRuns: 2000 },
    )
  })

  it('whole seconds without a fraction (the 20-byte fast path) read the same both ways', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        const whole = ms - (ms % 1000)
        const iso = new Date(whole).toISOString().replace('.000Z', 'Z')
        expect(fromBytes(iso)).toEqual({ ok: true, ms: whole })
        expect(parseIsoTimestamp(iso)).toEqual({ ok: true, ms: whole })
        expect(parseUnixSeconds(String(whole / 1000))).toEqual({ ok: true, ms: whole })
      }),
    )
  })

  it('any offset, with or without a colon, converts back to the same UTC instant', () => {
    const inner = fc.integer({ min: DAY_MS, max: MAX_TIMESTAMP_MS - DAY_MS })
    const offset = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 })
    fc.assert(
      fc.property(inner, offset, fc.boolean(), (ms, off, colon) => {
        const text = withOffset(ms, off, colon)
        expect(parseIsoTimestamp(text)).toEqual({ ok: true, ms })
        expect(fromBytes(text)).toEqual({ ok: true, ms })
      }),
      { numRuns: 1000 },
    )
  })

  it('extra fraction digits are dropped, never rounded', () => {
    fc.assert(
      fc.property(instant, fc.stringMatching(/^[0-9]{1,6}$/), (ms, extra) => {
        const iso = new Date(ms).toISOString().replace('Z', `${extra}Z`)
        expect(fromBytes(iso)).toEqual({ ok: true, ms })
        expect(parseUnixSeconds(`${unixText(ms)}${extra}`)).toEqual({ ok: true, ms })
      }),
    )
  })

  it('a one-character change to a valid timestamp gets the same verdict from string and bytes', () => {
    const alphabet = [...'0123456789-:T .Zz+,x']
    fc.assert(
      fc.property(instant, fc.boolean(), fc.nat(), fc.constantFrom(...alphabet), (ms, short, pos, c) => {
        const iso = new Date(ms).toISOString()
        const base = short ? iso.replace(/\.\d{3}Z$/, 'Z') : iso
        const k = pos % base.length
        const text = base.slice(0, k) + c + base.slice(k + 1)
        expect(fromBytes(text)).toEqual(parseIsoTimestamp(text))
      }),
      { numRuns: 3000 },
    )
  })
})

describe('the Unix-seconds fast path', () => {
  const fast = (text: string) => {
    const b = Buffer.from(`x:${text},`)
    return unixSecondsMs(b, 2, b.length - 1)
  }
  const slow = (text: string) => {
    const r = parseUnixSeconds(text)
    return r.ok ? r.ms : -1
  }

  it('gives what the full parser gives, for any text of digits, dots and signs', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9.eE+-]{0,16}$/), (text) => {
        expect(fast(text)).toBe(slow(text))
      }),
      { numRuns: 5000 },
    )
  })

  it('reads every instant in range, with or without a fraction', () => {
    fc.assert(
      fc.property(instant, fc.boolean(), (ms, whole) => {
        const text = whole ? String(Math.floor(ms / 1000)) : unixText(ms)
        expect(fast(text)).toBe(whole ? ms - (ms % 1000) : ms)
      }),
    )
  })

  it.each(['7258118400', '99999999999', '999999999999', '-1', '1e9', '01', '1.', '.5', ''])(
    '%j matches',
    (t) => {
      expect(fast(t)).toBe(slow(t))
    },
  )
})

describe('timestamp edge cases', () => {
  it.each([
    ['1970-01-01T00:00:00Z', 0],
    ['1970-01-01T00:00:00.000Z', 0],
    ['2199-12-31T23:59:59.999Z', MAX_TIMESTAMP_MS - 1],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2026-10-05T12:00:00+05:30', Date.UTC(2026, 9, 5, 6, 30)],
    ['2026-10-05T12:00:00-0800', Date.UTC(2026, 9, 5, 20)],
    ['2026-10-05 12:00:00', Date.UTC(2026, 9, 5, 12)],
    ['2026-10-05T12:00:00.123456789Z', Date.UTC(2026, 9, 5, 12, 0, 0, 123)],
    ['2026-10-05T12:00:00.1Z', Date.UTC(2026, 9, 5, 12, 0, 0, 100)],
  ])('%s is %i ms in both readers', (text, ms) => {
    expect(parseIsoTimestamp(text)).toEqual({ ok: true, ms })
    expect(fromBytes(text)).toEqual({ ok: true, ms })
  })

  it.each([
    ['2026-09-31T00:00:00Z', 'day 31 is out of range in "2026-09-31T00:00:00Z"'],
    ['2100-02-29T00:00:00Z', 'day 29 is out of range in "2100-02-29T00:00:00Z"'],
    ['2025-02-29T00:00:00.000Z', 'day 29 is out of range in "2025-02-29T00:00:00.000Z"'],
    ['0070-01-01T00:00:00Z', 'year 0070 is outside 1970 .. 2199 in "0070-01-01T00:00:00Z"'],
    [
      '2026-1O-05T12:00:00Z',
      'expected an ISO-8601 timestamp like 2026-10-05T12:00:00Z, got "2026-1O-05T12:00:00Z"',
    ],
    [
      '2026-10-05T12:00:00.Z',
      'expected an ISO-8601 timestamp like 2026-10-05T12:00:00Z, got "2026-10-05T12:00:00.Z"',
    ],
    [
      '２０２６-10-05T12:00:00Z',
      'expected an ISO-8601 timestamp like 2026-10-05T12:00:00Z, got "２０２６-10-05T12:00:00Z"',
    ],
  ])('%s is rejected by both readers', (text, reason) => {
    expect(parseIsoTimestamp(text)).toEqual({ ok: false, reason })
    expect(fromBytes(text)).toEqual({ ok: false, reason })
  })

  it.each([
    ['1759665600.123', 1759665600123],
    ['1759665600.1', 1759665600100],
    ['1759665600', 1759665600000],
    ['7258118399.999', MAX_TIMESTAMP_MS - 1],
    ['0.0001', 0],
  ])('Unix seconds %s are %i ms', (text, ms) => {
    expect(parseUnixSeconds(text)).toEqual({ ok: true, ms })
  })

  it.each(['-1', '1e9', '1E9', '1759665600.', '.5', '+1', '123456789012', ''])(
    'Unix seconds %j are rejected',
    (text) => {
      expect(parseUnixSeconds(text)).toEqual({
        ok: false,
        reason: `expected Unix seconds as a plain non-negative number, got ${text}`,
      })
    },
  )

  it('Unix seconds from 2200 on are out of range', () => {
    expect(parseUnixSeconds('7258118400')).toEqual({
      ok: false,
      reason: 'timestamp 2200-01-01T00:00:00.000Z is outside 1970-01-01 .. 2199-12-31',
    })
  })
})
