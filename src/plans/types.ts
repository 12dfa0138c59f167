// The domain of a plan, after validation. Amounts and quantities are decimal strings in the YAML
// and `Decimal` values here; nothing in a plan is ever a binary float.
import type { Decimal } from '../money/decimal.js'

export type Interval = 'weekly' | 'monthly' | 'quarterly' | 'yearly'

export type AggregationName = 'count' | 'sum' | 'unique_count' | 'max' | 'latest' | 'weighted_sum'

/** What to measure: which events (by `code`) and how their values become units. */
export interface BillableMetric {
  /** The metric's name in the plan (`metrics:` key). */
  name: string
  /** The event `code` this metric reads; defaults to the metric's name. */
  code: string
  aggregation: AggregationName
  /** The event property that carries the value; required by every aggregation but `count`. */
  property?: string
}

export interface Tier {
  /** Inclusive upper bound of the tier; `undefined` only on the last, open tier. */
  upTo?: Decimal
  unitPrice: Decimal
  flatFee: Decimal
}

export interface PercentageTier {
  upTo?: Decimal
  /** Percent, e.g. 1.2 means 1.2 %. */
  rate: Decimal
  flatFee: Decimal
}

export type ChargeModel =
  | { model: 'standard'; unitPrice: Decimal }
  | { model: 'graduated'; tiers: Tier[] }
  | { model: 'volume'; tiers: Tier[] }
  | { model: 'package'; packageSize: Decimal; packagePrice: Decimal; freeUnits: Decimal }
  | { model: 'percentage'; rate: Decimal; fixedFee: Decimal; freeUnits: Decimal; freeEvents: number }
  | { model: 'graduated_percentage'; tiers: PercentageTier[] }

export type ChargeModelName = ChargeModel['model']

export type Charge = ChargeModel & {
  metric: BillableMetric
  /** Only events whose property equals one of the listed values. */
  filters: Record<string, string[]>
  /** One invoice line per distinct combination of these properties' values. */
  groupBy: string[]
}

export interface Plan {
  code: string
  name: string
  currency: string
  interval: Interval
  fixedFee: Decimal
  minimumCommitment?: Decimal
  charges: Charge[]
  /** The file the plan was read from, for messages. */
  file: string
}

export interface Customer {
  id: string
  name?: string
  plan: string
  taxRate: Decimal
}

export interface Catalog {
  plans: Map<string, Plan>
  customers: Map<string, Customer>
}
