// Measures usage straight from the raw events, in one pass: every charge of every plan involved is a
// "measure" (event code, aggregation, property, filters, group_by), and each event feeds the measures
// it matches. FINAL reads one row per (customer, transaction_id): the newest copy.
import { Decimal } from '../money/decimal.js'
import type { AggregationName, Charge } from '../plans/types.js'
import type { Store } from '../store/store.js'
import type { Period } from './types.js'

export interface Measure {
  charge: Charge
}

export interface MeasuredUsage {
  customer: string
  /** Index into the measures passed in. */
  measure: number
  /** Values of the charge's group_by properties, in order ('' where an event has none). */
  group: string[]
  units: Decimal
  events: number
  /** Events whose property could not be read as a number (numeric aggregations only). */
  invalidValues: number
}

/**
 * Property values are read as Decimal256 with 20 decimals: 56 integer digits leave room for sums and
 * for weighted_sum's value x milliseconds products, which Decimal128 silently wrapped around.
 */
export const VALUE_SCALE = 20

// Measure 0 matches every event of the period: it tells which customers had any.
// Each aggregate is conditional on the measure's aggregation, so a measure pays only for its own.
const USAGE_SQL = (db: string, oneCustomer: boolean) => `SELECT
    customer,
    m,
    arrayMap(k -> properties[k], {group_by:Array(Array(String))}[m]) AS grp,
    countIf(in_period) AS events,
    countIf(in_period AND agg != 'count' AND agg != 'unique_count' AND has_value AND isNull(num)) AS invalid,
    toString(sumIf(num, in_period AND agg = 'sum')) AS sum,
    uniqExactIf(value, in_period AND agg = 'unique_count' AND has_value) AS uniq,
    toString(maxIf(num, in_period AND agg = 'max')) AS max,
    toString(argMaxIf(num, (timestamp, version), in_period AND agg = 'latest' AND isNotNull(num))) AS latest,
    countIf(in_period AND agg = 'latest' AND isNotNull(num)) AS latest_events,
    toString(sumIf(num, agg = 'weighted_sum' AND NOT in_period)) AS carried,
    toString(sumIf(num * (toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(timestamp)),
                   agg = 'weighted_sum' AND in_period)) AS weighted
FROM
(
    SELECT customer, code, timestamp, version, properties
    FROM ${db}.events FINAL
    WHERE timestamp < {to:DateTime64(3, 'UTC')}
      AND (timestamp >= {from:DateTime64(3, 'UTC')} OR code IN {carried_codes:Array(String)})${
        oneCustomer ? '\n      AND customer = {customer:String}' : ''
      }
)
ARRAY JOIN arrayConcat([0], arrayFilter(
    i -> {codes:Array(String)}[i] = code
         AND arrayAll((fm, k, vs) -> fm != i OR (mapContains(properties, k) AND has(vs, properties[k])),
                      {filter_measures:Array(UInt32)}, {filter_keys:Array(String)}, {filter_values:Array(Array(String))}),
    range(1, length({codes:Array(String)}) + 1))) AS m
WHERE 1
  AND (timestamp >= {from:DateTime64(3, 'UTC')} OR {aggregations:Array(String)}[m] = 'weighted_sum')
GROUP BY customer, m, grp
ORDER BY customer, m, grp`

/** Expressions that depend on the measure; defined as aliases so the SELECT above stays readable. */
const WITH = `WITH
    {aggregations:Array(String)}[m] AS agg,
    {properties:Array(String)}[m] AS prop,
    timestamp >= {from:DateTime64(3, 'UTC')} AS in_period,
    mapContains(properties, prop) AS has_value,
    properties[prop] AS value,
    toDecimal256OrNull(value, ${VALUE_SCALE}) AS num
`

export interface PeriodUsage {
  usage: MeasuredUsage[]
  /** Customers with any event in the period, and how many. */
  eventsByCustomer: Map<string, number>
}

export async function measureUsage(
  store: Store,
  measures: Charge[],
  period: Period,
  customer?: string,
): Promise<PeriodUsage> {
  const filters = measures.flatMap((c, i) =>
    Object.entries(c.filters).map(([key, values]) => ({ measure: i + 1, key, values })),
  )
  const params = {
    from: toDateTime64(period.from),
    to: toDateTime64(period.to),
    customer,
    codes: measures.map((c) => c.metric.code),
    aggregations: measures.map((c) => c.metric.aggregation),
    properties: measures.map((c) => c.metric.property ?? ''),
    group_by: measures.map((c) => c.groupBy),
    // Filters flattened to one entry per (measure, property): nested empty arrays do not bind.
    filter_measures: filters.map((f) => f.measure),
    filter_keys: filters.map((f) => f.key),
    filter_values: filters.map((f) => f.values),
    carried_codes: measures.filter((c) => c.metric.aggregation === 'weighted_sum').map((c) => c.metric.code),
  }
  const rows = await store.rows<UsageRow>(WITH + USAGE_SQL(store.db, customer !== undefined), { params })
  const periodMs = period.to.getTime() - period.from.getTime()
  const result: PeriodUsage = { usage: [], eventsByCustomer: new Map() }
  for (const row of rows) {
    const measure = Number(row.m) - 1
    if (measure < 0) {
      result.eventsByCustomer.set(row.customer, Number(row.events))
      continue
    }
    result.usage.push({
      customer: row.customer,
      measure,
      group: row.grp,
      units: unitsOf(measures[measure]!.metric.aggregation, row, periodMs),
      events: Number(row.events),
      invalidValues: Number(row.invalid),
    })
  }
  return result
}

interface UsageRow {
  customer: string
  m: number | string
  grp: string[]
  events: number | string
  invalid: number | string
  sum: string | null
  uniq: number | string
  max: string | null
  latest: string | null
  latest_events: number | string
  carried: string | null
  weighted: string | null
}

/** Units of one measure: `weighted_sum` is the running total, averaged over the period's time. */
function unitsOf(aggregation: AggregationName, row: UsageRow, periodMs: number): Decimal {
  switch (aggregation) {
    case 'count':
      return new Decimal(row.events)
    case 'sum':
      return decimalOrZero(row.sum)
    case 'unique_count':
      return new Decimal(row.uniq)
    case 'max':
      return decimalOrZero(row.max)
    case 'latest':
      return Number(row.latest_events) > 0 ? decimalOrZero(row.latest) : new Decimal(0)
    case 'weighted_sum':
      // Each increment counts for the time left in the period; what came before counts for all of it.
      return decimalOrZero(row.carried).plus(decimalOrZero(row.weighted).div(periodMs))
  }
}

/** An aggregate over no readable values is NULL: no usage. */
function decimalOrZero(text: string | null): Decimal {
  return text === null ? new Decimal(0) : new Decimal(text)
}

/** ClickHouse reads `YYYY-MM-DD hh:mm:ss.sss` for a DateTime64(3, 'UTC') parameter. */
export function toDateTime64(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '')
}
