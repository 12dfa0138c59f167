// Per-event bounds (Lago's per_transaction_min_amount / per_transaction_max_amount,
// ChargeModels::PercentageService#compute_amount_with_transaction_min_max): each paying event's own
// amount, its billable units x rate / 100 plus its fixed fee, is raised to the minimum, else lowered to
// the maximum (the minimum is checked first). Wholly free events pay 0 and are not raised. Free units
// are taken from the first events in timestamp order, an event paying only for what exceeds them;
// free events and free units end together, whichever limit is reached first.
import { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'
import type { FreeAllowance } from './free-allowance.js'

type Percentage = Extract<ChargeModel, { model: 'percentage' }>

/** `values`: each event's own share of the units, in timestamp order. */
export function amountWithPerEventBounds(
  model: Percentage,
  values: readonly Decimal[],
  fixedFee: Decimal,
): Decimal {
  const free = leadingFree(model, values)
  let amount = new Decimal(0)
  let runningTotal = new Decimal(0)
  for (const [index, value] of values.entries()) {
    const before = runningTotal
    runningTotal = runningTotal.plus(value)
    if (index < free.events) continue
    const billable = beyond(runningTotal, free.units).minus(beyond(before, free.units))
    amount = amount.plus(bounded(model, billable.times(model.rate).div(100).plus(fixedFee)))
  }
  return amount
}

/**
 * The leading events that are wholly free, and the units they free: the first N events, the events
 * while the running total stays below X, or with both, until the first of the two limits.
 */
function leadingFree(model: Percentage, values: readonly Decimal[]): FreeAllowance {
  const n = model.freeEvents
  const x = new Decimal(model.freeUnits)
  const firstN = values.slice(0, n).reduce((sum, v) => sum.plus(v), new Decimal(0))
  if (x.lte(0)) return { units: n > 0 ? firstN : x, events: n }
  const belowX = leadingEventsBelow(n > 0 ? values.slice(0, n) : values, x)
  if (n === 0) return { units: x, events: belowX }
  return { units: Decimal.min(firstN, x), events: Math.min(n, belowX) }
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

/** How far a running total is past the free units. */
function beyond(total: Decimal, freeUnits: Decimal): Decimal {
  return Decimal.max(0, total.minus(freeUnits))
}

function bounded(model: Percentage, amount: Decimal): Decimal {
  if (model.perEventMin !== undefined && amount.lt(model.perEventMin)) return new Decimal(model.perEventMin)
  if (model.perEventMax !== undefined && amount.gt(model.perEventMax)) return new Decimal(model.perEventMax)
  return amount
}
