// What a percentage charge gives away before it charges (Lago's ChargeModels::PercentageService
// #free_units_value and #free_units_count, over the running total its aggregation builds):
// - free_events N: the first N events (by timestamp) are wholly free, their units and their fixed fee;
// - free_units X: the first X units are free, and so is the fixed fee of every event whose running
//   total is below X (the event that reaches or crosses X pays it);
// - both: free units = the running total after N events, at most X; free events = N, at most the
//   events below X. A count or unique_count with more than N units frees N units whatever X is, as
//   Lago's running total of 1 per event has it.
// Where the units are no running total (max, latest, weighted_sum), no unit is free and the first N
// events pay no fixed fee, as in Lago.
import { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'
import type { RunningTotal } from '../event-values.js'

export interface FreeAllowance {
  /** Units the rate does not apply to, taken from the first events. */
  units: Decimal
  /** Leading events that pay nothing at all, neither rate nor fixed fee. */
  events: number
}

const ZERO = new Decimal(0)

/** `values` are the events' values in timestamp order: at least the first N when N is set. */
export function freeAllowance(
  model: Extract<ChargeModel, { model: 'percentage' }>,
  values: readonly Decimal[],
  runningTotal: RunningTotal,
): FreeAllowance {
  const n = model.freeEvents
  const x = new Decimal(model.freeUnits)
  const limitedByEvents = n > 0
  const limitedByUnits = x.gt(0)
  if (runningTotal === 'none' || (!limitedByEvents && !limitedByUnits)) return { units: ZERO, events: n }

  const totals = runningTotal === 'counted' ? cumulative(values) : sumTotals(values, n, x)
  const afterN = totals.length > n ? totals[n - 1]! : (totals.at(-1) ?? ZERO)
  if (!limitedByUnits) return { units: afterN, events: n }

  const belowX = totals.filter((total) => total.lt(x)).length
  if (!limitedByEvents) return { units: x, events: belowX }
  const units = totals.length > n ? afterN : Decimal.min(afterN, x)
  return { units, events: Math.min(n, belowX) }
}

/** A count's running totals: 1, 2, ... up to its units, every one of them. */
function cumulative(values: readonly Decimal[]): Decimal[] {
  let total = ZERO
  return values.map((value) => (total = total.plus(value)))
}

/**
 * A sum's running totals, as Lago's sum aggregation builds them: of the first N events when N is set,
 * else up to and with the first total past X.
 */
function sumTotals(values: readonly Decimal[], n: number, x: Decimal): Decimal[] {
  if (n > 0) return cumulative(values.slice(0, n))
  const totals: Decimal[] = []
  let total = ZERO
  for (const value of values) {
    if (total.gt(x)) break
    total = total.plus(value)
    totals.push(total)
  }
  return totals
}
