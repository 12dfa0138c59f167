import type { Decimal } from '../money/decimal.js'
import type { ChargeModelName } from '../plans/types.js'
import type { RunningTotal, TierLine } from '../pricing/models/index.js'
import type { Proration } from './intervals.js'

/** A half-open UTC interval [from, to). */
export interface Period {
  from: Date
  to: Date
}

/** What the store measured for one charge and one group of `group_by` values, in one interval. */
export interface ChargeUsage {
  /** Index of the charge in `plan.charges`. */
  charge: number
  /** `group_by` property -> value; empty when the charge has no `group_by`. */
  group: Record<string, string>
  /** The metric's aggregated units (exact), before the metric's rounding. */
  units: Decimal
  /** Events behind the units (numeric metrics: events whose value is a number). */
  events: number
  /** Each event's share of the units in time order, for percentage charges whose rules read them. */
  eventValues?: Decimal[]
  /** Percentage charges: how the units build up event by event (see src/pricing/event-values.ts). */
  runningTotal?: RunningTotal
}

/** Why events of the period were not billed by any charge of the plan. */
export type UnbilledReason =
  /** No charge of the plan reads the event's code. */
  | 'no_charge'
  /** Charges read the code, but the event matched none of their filters. */
  | 'filters'
  /** The charges that matched need a property the event does not have. */
  | 'missing_property'
  /** ... or have it as something that is not a number. */
  | 'not_a_number'

export interface UnbilledEvents {
  code: string
  reason: UnbilledReason
  events: number
}

export type InvoiceLineType = 'fixed_fee' | 'usage' | 'charge_minimum' | 'minimum_commitment'

export interface InvoiceLine {
  type: InvoiceLineType
  /** Index of the charge in the plan (usage and charge_minimum lines). */
  charge: number | null
  metric: string | null
  model: ChargeModelName | null
  group: Record<string, string> | null
  units: Decimal | null
  /** Rounded once, half-up, to the currency's minor unit. */
  amount: Decimal
  /** Which tier priced how many units (graduated, volume, graduated_percentage). */
  tiers?: TierLine[]
  /** Fixed fee and minimums of an interval the period covers only in part. */
  proration?: Proration
}

export interface InvoiceInterval {
  /** The part of the plan's interval billed, and the whole interval. */
  from: Date
  to: Date
  whole: Period
  proration: Proration | null
  lines: InvoiceLine[]
  subtotal: Decimal
}

export interface Invoice {
  customer: string
  customerName?: string
  plan: string
  currency: string
  period: Period
  intervals: InvoiceInterval[]
  subtotal: Decimal
  taxRate: Decimal
  tax: Decimal
  total: Decimal
  /** Events of the period that no charge counted, by code and reason. */
  unbilled: UnbilledEvents[]
}
