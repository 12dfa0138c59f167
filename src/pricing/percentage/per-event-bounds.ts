// Per-event bounds (Lago's per_transaction_min_amount / per_transaction_max_amount,
// ChargeModels::PercentageService#compute_amount_with_transaction_min_max): each paying event's own
// amount, its billable units x rate / 100 plus its fixed fee, is raised to the minimum, else lowered to
// the maximum (the minimum is checked first). Wholly free events pay 0 and are not raised. Free units
// are taken from the first events in timestamp order, an event paying only for what exceeds them.
import { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'
import type { FreeAllowance } from './free-allowance.js'

export function amountWithPerEventBounds(
  model: Extract<ChargeModel, { model: 'percentage' }>,
  values: readonly Decimal[],
  free: FreeAllowance,
  fixedFee: Decimal,
): Decimal {
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

/** How far a running total is past the free units. */
function beyond(total: Decimal, freeUnits: Decimal): Decimal {
  return Decimal.max(0, total.minus(freeUnits))
}

function bounded(model: Extract<ChargeModel, { model: 'percentage' }>, amount: Decimal): Decimal {
  if (model.perEventMin !== undefined && amount.lt(model.perEventMin)) return new Decimal(model.perEventMin)
  if (model.perEventMax !== undefined && amount.gt(model.perEventMax)) return new Decimal(model.perEventMax)
  return amount
}
