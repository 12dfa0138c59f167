// What the pricing core takes and gives: a charge's usage in one billing interval in, its exact amount
// and, for tiered models, the breakdown by tier out. Nothing here is rounded to money.
import type { Decimal } from '../money/decimal.js'
import type { RunningTotal } from './event-values.js'

/** What a charge measured in one billing interval. */
export interface Usage {
  /** The charge's aggregated units in the interval, after the metric's rounding (see rounding.ts). */
  units: Decimal
  /** Events behind them (for numeric metrics: events with a numeric value). */
  events: number
  /**
   * Values of the charge's events in timestamp order, for percentage charges with per-event rules: all
   * of them, or at least the first ones its rules look at (see eventValuesNeeded). Unrounded, as Lago.
   */
  eventValues?: Decimal[]
  /**
   * How the units build up event by event, for percentage charges (see event-values.ts): 'values' by
   * default (a sum), 'counted' for count and unique_count, 'none' for max, latest and weighted_sum.
   */
  runningTotal?: RunningTotal
}

/** One tier a tiered charge reached: the units it priced and what they cost. */
export interface TierLine {
  /** 1-based position of the tier in the charge. */
  tier: number
  /** Exclusive lower bound: the previous tier's up_to, 0 for the first tier. */
  from: Decimal
  /** Inclusive upper bound; null for the last tier, which has no ceiling. */
  upTo: Decimal | null
  units: Decimal
  /** Graduated and volume tiers. */
  unitPrice?: Decimal
  /** Graduated-percentage tiers, in percent. */
  rate?: Decimal
  flatFee: Decimal
  /** units x unit price (or rate / 100) + flat fee, exact. */
  amount: Decimal
}

export interface ChargePrice {
  /** Exact and unrounded: the invoice rounds it once. */
  amount: Decimal
  /** Graduated, volume and graduated_percentage only; their amounts add up to `amount`. */
  tiers?: TierLine[]
}
