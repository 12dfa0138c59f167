// A requested period, cut along the plan's billing intervals (calendar weeks from Monday, months,
// quarters, years, in UTC). Each interval is billed on its own: its own fixed fee, tiers, minimums and
// rounding. A period that covers only part of an interval prorates that interval's fixed fee and
// minimums by days, as Lago does: the days the part covers (a day begun counts whole) over the days
// of the whole interval, e.g. 15/31.
import type { Interval } from '../plans/types.js'
import { currentPeriod, PeriodError } from './period.js'
import type { Period } from './types.js'

export const DAY_MS = 86_400_000
/** A period spans at most this many intervals (a decade of weeks). */
export const MAX_INTERVALS = 600

export interface BillingInterval {
  /** The part of the plan's interval that the period covers, [from, to). */
  from: Date
  to: Date
  /** The plan's whole interval. */
  whole: Period
  /** Days covered over the interval's days, when the period covers only part of it. */
  proration: Proration | null
}

export interface Proration {
  days: number
  of: number
}

/** The period's parts, one per interval it touches, in order. */
export function intervalsOf(period: Period, interval: Interval): BillingInterval[] {
  const parts: BillingInterval[] = []
  for (let at = period.from; at < period.to;) {
    const { from: start, to: end } = currentPeriod(interval, at)
    const from = start < period.from ? period.from : start
    const to = end > period.to ? period.to : end
    const whole = from.getTime() === start.getTime() && to.getTime() === end.getTime()
    parts.push({
      from,
      to,
      whole: { from: start, to: end },
      proration: whole
        ? null
        : {
            // A day begun counts whole, at either end (Lago bills from the start of the first day).
            days: Math.ceil((to.getTime() - Math.floor(from.getTime() / DAY_MS) * DAY_MS) / DAY_MS),
            of: Math.round((end.getTime() - start.getTime()) / DAY_MS),
          },
    })
    if (parts.length > MAX_INTERVALS) {
      throw new PeriodError(
        `the period spans more than ${MAX_INTERVALS} ${interval} intervals: ask for a shorter one`,
      )
    }
    at = end
  }
  return parts
}
