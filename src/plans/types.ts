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
  /** How the aggregated units of an interval are rounded before pricing; none when absent. */
  rounding?: UnitRounding
  /**
   * weighted_sum only (Lago's `recurring: true`): the running total carries over from every earlier
   * interval. Absent (Lago's default, a metered metric): the total starts at 0 in each interval.
   */
  recurring?: true
}

export type RoundingFunction = 'round' | 'ceil' | 'floor'

/** Lago's rounding_function and rounding_precision: digits after the point, negative ones left of it. */
export interface UnitRounding {
  function: RoundingFunction
  /** -12 to 12; 2 rounds to hundredths, 0 to whole units, -2 to hundreds. */
  precision: number
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
  | {
      model: 'percentage'
      /** Percent, e.g. 1.2 means 1.2 %. */
      rate: Decimal
      /** Due for each paying event. */
      fixedFee: Decimal
      freeUnits: Decimal
      freeEvents: number
      /** Bounds of each paying event's own amount (Lago's per_transaction_min/max_amount). */
      perEventMin?: Decimal
      perEventMax?: Decimal
    }
  | { model: 'graduated_percentage'; tiers: PercentageTier[] }

export type ChargeModelName = ChargeModel['model']

export type Charge = ChargeModel & {
  metric: BillableMetric
  /** Only events whose property equals one of the listed values. */
  filters: Record<string, string[]>
  /** One invoice line per distinct combination of these properties' values. */
  groupBy: string[]
  /** The least the charge costs in one interval, in the plan's currency (Lago's charge min_amount). */
  minAmount?: Decimal
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
