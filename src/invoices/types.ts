import type { Decimal } from '../money/decimal.js'
import type { ChargeModelName } from '../plans/types.js'

/** A half-open UTC interval [from, to). */
export interface Period {
  from: Date
  to: Date
}

/** What the store measured for one charge and one group of `group_by` values. */
export interface ChargeUsage {
  /** Index of the charge in `plan.charges`. */
  charge: number
  /** `group_by` property -> value; empty when the charge has no `group_by`. */
  group: Record<string, string>
  /** The metric's aggregated units (exact). */
  units: Decimal
  /** Number of billable events behind the units (used by per-event fees). */
  events: number
}

export type InvoiceLineType = 'fixed_fee' | 'usage' | 'true_up'

export interface InvoiceLine {
  type: InvoiceLineType
  metric: string | null
  model: ChargeModelName | null
  group: Record<string, string> | null
  units: Decimal | null
  /** Rounded once, half-up, to the currency's minor unit. */
  amount: Decimal
}

export interface Invoice {
  customer: string
  customerName?: string
  plan: string
  currency: string
  period: Period
  lines: InvoiceLine[]
  subtotal: Decimal
  taxRate: Decimal
  tax: Decimal
  total: Decimal
}
