// Billing periods: half-open [from, to) intervals in UTC.
import { parseIsoTimestamp } from '../events/timestamp.js'
import type { Interval } from '../plans/types.js'
import type { Period } from './types.js'

export class PeriodError extends Error {}

/** Midnight UTC of a calendar date; months and days past their end roll over. Any year, 0050 too. */
function utc(year: number, month: number, day = 1): Date {
  const d = new Date(0)
  d.setUTCFullYear(year, month, day) // Date.UTC would read years below 100 as 1900 + year
  return d
}

/** The period of `interval` that contains `now`: calendar weeks start on Monday. */
export function currentPeriod(interval: Interval, now = new Date()): Period {
  const y = now.getUTCFullYear()
  const m = now.getUTCMonth()
  switch (interval) {
    case 'weekly': {
      const day = utc(y, m, now.getUTCDate()).getTime()
      const monday = day - ((now.getUTCDay() + 6) % 7) * 86_400_000
      return { from: new Date(monday), to: new Date(monday + 7 * 86_400_000) }
    }
    case 'monthly':
      return { from: utc(y, m, 1), to: utc(y, m + 1, 1) }
    case 'quarterly': {
      const q = Math.floor(m / 3) * 3
      return { from: utc(y, q, 1), to: utc(y, q + 3, 1) }
    }
    case 'yearly':
      return { from: utc(y, 0, 1), to: utc(y + 1, 0, 1) }
  }
}

/** `2026-10` (month), `2026-Q4`, `2026-W41` (ISO week) or `2026` (year). */
export function parsePeriod(text: string): Period {
  let match = /^(\d{4})-(\d{2})$/.exec(text)
  if (match) {
    const [y, m] = [Number(match[1]), Number(match[2])]
    if (m < 1 || m > 12) throw new PeriodError(`month ${match[2]} is out of range in --period ${text}`)
    return { from: utc(y, m - 1, 1), to: utc(y, m, 1) }
  }
  match = /^(\d{4})-Q([1-4])$/i.exec(text)
  if (match) {
    const [y, q] = [Number(match[1]), Number(match[2])]
    return { from: utc(y, (q - 1) * 3, 1), to: utc(y, q * 3, 1) }
  }
  match = /^(\d{4})-W(\d{2})$/i.exec(text)
  if (match) {
    const [y, w] = [Number(match[1]), Number(match[2])]
    // ISO week 1 is the week with the year's first Thursday, i.e. the one containing January 4th.
    const jan4 = utc(y, 0, 4).getTime()
    const week1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000
    if (w < 1 || w > isoWeeks(y))
      throw new PeriodError(`week ${match[2]} is out of range in --period ${text}`)
    const from = week1 + (w - 1) * 7 * 86_400_000
    return { from: new Date(from), to: new Date(from + 7 * 86_400_000) }
  }
  match = /^(\d{4})$/.exec(text)
  if (match) {
    const y = Number(match[1])
    return { from: utc(y, 0, 1), to: utc(y + 1, 0, 1) }
  }
  throw new PeriodError(`--period ${text}: expected 2026-10 (month), 2026-Q4, 2026-W41 or 2026`)
}

function isoWeeks(year: number): number {
  // A year has 53 ISO weeks when it starts or ends on a Thursday.
  const jan1 = utc(year, 0, 1).getUTCDay()
  const dec31 = utc(year, 11, 31).getUTCDay()
  return jan1 === 4 || dec31 === 4 ? 53 : 52
}

/** `--from` / `--to`: an ISO-8601 instant, or a date meaning its midnight UTC. */
export function parseInstant(text: string, flag: string): Date {
  const full = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text
  const parsed = parseIsoTimestamp(full)
  if (!parsed.ok) throw new PeriodError(`--${flag} ${text}: ${parsed.reason}`)
  return new Date(parsed.ms)
}

export function periodFromFlags(
  flags: { period?: string; from?: string; to?: string },
  fallback: () => Period,
): Period {
  if (flags.period && (flags.from || flags.to))
    throw new PeriodError('use either --period or --from/--to, not both')
  if (flags.period) return parsePeriod(flags.period)
  if (flags.from || flags.to) {
    if (!flags.from || !flags.to) throw new PeriodError('--from and --to go together')
    const period = { from: parseInstant(flags.from, 'from'), to: parseInstant(flags.to, 'to') }
    if (period.to <= period.from) throw new PeriodError('--to must be after --from')
    return period
  }
  return fallback()
}
