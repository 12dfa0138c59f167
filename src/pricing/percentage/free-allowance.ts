// What a percentage charge gives away before it charges, whichever limit is reached first (Lago's
// standard path, ChargeModels::PercentageService#free_units_value and #free_units_count):
// - free_events N: the first N events (by timestamp) are wholly free, their units and their fixed fee;
// - free_units X: the first X units are free, and so is the fixed fee of every event whose running
//   total stays strictly below X (the event that reaches or crosses X pays it);
// - both: free units = min(sum of the first N events, X), free events = min(N, events below X).
import { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'

export interface FreeAllowance {
  /** Units the rate does not apply to, taken from the first events. */
  units: Decimal
  /** Leading events that pay nothing at all, neither rate nor fixed fee. */
  events: number
}

/** `values` are the events' values in timestamp order: at least the first N when N is set. */
export function freeAllowance(
  model: Extract<ChargeModel, { model: 'percentage' }>,
  values: readonly Decimal[],
): FreeAllowance {
  const n = model.freeEvents
  const x = new Decimal(model.freeUnits)
  const limitedByEvents = n > 0
  const limitedByUnits = x.gt(0)
  if (!limitedByEvents && !limitedByUnits) return { units: new Decimal(0), events: 0 }

  const considered = limitedByEvents ? values.slice(0, n) : values
  const firstEventsUnits = considered.reduce((sum, v) => sum.plus(v), new Decimal(0))
  if (!limitedByUnits) return { units: firstEventsUnits, events: n }

  const belowX = leadingEventsBelow(considered, x)
  if (!limitedByEvents) return { units: x, events: belowX }
  return { units: Decimal.min(firstEventsUnits, x), events: Math.min(n, belowX) }
}

/** How many leading events keep the running total strictly below `limit`. */
function leadingEventsBelow(values: readonly Decimal[], limit: Decimal): number {
  let total = new Decimal(0)
  for (const [index, value] of values.entries()) {
    total = total.plus(value)
    if (total.gte(limit)) return index
  }
  return values.length
}
