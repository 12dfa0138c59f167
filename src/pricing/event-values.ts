// Which single events a charge's rules read. Only percentage charges look at events one by one: free
// events (the first N), free units (the running total that reaches X) and per-event bounds (each
// event's own amount). How the units build up event by event depends on the metric's aggregation, as
// in Lago, whose aggregations give the percentage model a running total for count, sum and
// unique_count only. The store fetches the values this asks for, in timestamp order.
import { Decimal } from '../money/decimal.js'
import type { AggregationName, ChargeModel } from '../plans/types.js'
import type { Usage } from './charge-price.js'

export type EventValuesNeed = 'none' | { first: number } | 'all'

/**
 * How a charge's units build up event by event (Lago's running total):
 * - 'values' (sum): each event adds its own value, from Usage.eventValues;
 * - 'counted' (count, unique_count): each event, or each distinct value, adds 1 (Usage.events of them);
 * - 'none' (max, latest, weighted_sum): the units are not a running total, so no unit is free and free
 *   events spare only their fixed fee.
 */
export type RunningTotal = 'values' | 'counted' | 'none'

type Percentage = Extract<ChargeModel, { model: 'percentage' }>

export function runningTotalOf(aggregation: AggregationName): RunningTotal {
  if (aggregation === 'sum') return 'values'
  if (aggregation === 'count' || aggregation === 'unique_count') return 'counted'
  return 'none'
}

export function hasPerEventBounds(model: Percentage): boolean {
  return model.perEventMin !== undefined || model.perEventMax !== undefined
}

/**
 * What a charge's rules need of the events' numeric values, read from the store: nothing, the first N
 * (free events, with or without free units: whichever comes first lies within them), or all of them
 * (free units alone, whose running total may take every event to reach, and per-event bounds). Only
 * sum and max read values: count and unique_count count 1 per event, and the rules of latest and
 * weighted_sum read no single event (per-event bounds on them are refused with the plan).
 */
export function eventValuesNeeded(model: ChargeModel, aggregation: AggregationName): EventValuesNeed {
  if (model.model !== 'percentage') return 'none'
  if (aggregation === 'max') return hasPerEventBounds(model) ? 'all' : 'none'
  if (aggregation !== 'sum') return 'none'
  if (hasPerEventBounds(model)) return 'all'
  if (model.freeEvents > 0) return { first: model.freeEvents }
  if (model.freeUnits.gt(0)) return 'all'
  return 'none'
}

/**
 * The per-event values the rules read, in time order, checked against what they need; throws when
 * some are missing. 'counted' units are 1 per event; 'none' has no values unless bounds read them.
 */
export function eventValuesFor(model: Percentage, usage: Usage): Decimal[] {
  const runningTotal = usage.runningTotal ?? 'values'
  if (runningTotal === 'counted') return Array.from({ length: usage.events }, () => ONE)
  if (runningTotal === 'none' && !hasPerEventBounds(model)) return []
  const need = eventValuesNeeded(model, 'sum')
  if (need === 'none') return []
  const values = (usage.eventValues ?? []).map((value) => new Decimal(value))
  if (need === 'all') {
    if (values.length !== usage.events) throw missingValues(`all ${usage.events}`, values.length)
    return values
  }
  const count = Math.min(need.first, usage.events)
  if (values.length < count) throw missingValues(`the first ${count}`, values.length)
  return values.slice(0, count)
}

const ONE = new Decimal(1)

function missingValues(wanted: string, got: number): RangeError {
  return new RangeError(
    `a percentage charge with free events, free units or per-event bounds prices from its events' values: expected ${wanted} of them in Usage.eventValues, got ${got}`,
  )
}
