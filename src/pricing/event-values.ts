// Which single events a charge's rules read. Only percentage charges look at events one by one: free
// events (the first N), free units (the running total that reaches X) and per-event bounds (each
// event's own amount). The store fetches what this asks for, in timestamp order.
import { Decimal } from '../money/decimal.js'
import type { ChargeModel } from '../plans/types.js'
import type { Usage } from './charge-price.js'

export type EventValuesNeed = 'none' | { first: number } | 'all'

type Percentage = Extract<ChargeModel, { model: 'percentage' }>

export function hasPerEventBounds(model: Percentage): boolean {
  return model.perEventMin !== undefined || model.perEventMax !== undefined
}

/**
 * What a charge's rules need of `Usage.eventValues`: nothing, the first N values (free events, with or
 * without free units: whichever comes first lies within them), or all of them (free units alone, whose
 * running total may take every event to reach, and per-event bounds).
 */
export function eventValuesNeeded(model: ChargeModel): EventValuesNeed {
  if (model.model !== 'percentage') return 'none'
  if (hasPerEventBounds(model)) return 'all'
  if (model.freeEvents > 0) return { first: model.freeEvents }
  if (model.freeUnits.gt(0)) return 'all'
  return 'none'
}

/** The event values the rules read, checked against what they need; throws when some are missing. */
export function eventValuesFor(model: ChargeModel, usage: Usage): Decimal[] {
  const need = eventValuesNeeded(model)
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

function missingValues(wanted: string, got: number): RangeError {
  return new RangeError(
    `a percentage charge with free events, free units or per-event bounds prices from its events' values: expected ${wanted} of them in Usage.eventValues, got ${got}`,
  )
}
