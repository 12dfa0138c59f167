import { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'
import type { ChargePrice, Usage } from '../charge-price.js'
import { eventValuesFor, hasPerEventBounds } from '../event-values.js'
import { freeAllowance } from '../percentage/free-allowance.js'
import { amountWithPerEventBounds } from '../percentage/per-event-bounds.js'

// rate % of the units beyond the free units, plus the fixed fee for each paying event (see
// ../percentage/free-allowance.ts for which are free); with per-event bounds, each paying event's own
// amount is bounded (../percentage/per-event-bounds.ts). No fixed fee is due when the units are zero
// (Lago: PercentageService#compute_fixed_amount).
export function pricePercentage(
  model: Extract<ChargeModel, { model: 'percentage' }>,
  usage: Usage,
): ChargePrice {
  const units = new Decimal(usage.units)
  const values = eventValuesFor(model, usage)
  const fixedFee = units.isZero() ? new Decimal(0) : new Decimal(model.fixedFee)
  if (hasPerEventBounds(model)) {
    // Lago's per-event loop takes free events and units from each event's own share of the units,
    // whatever the aggregation (see eventValuesFor).
    return { amount: amountWithPerEventBounds(model, values, fixedFee) }
  }
  const free = freeAllowance(model, values, usage.runningTotal ?? 'values')
  const billableUnits = Decimal.max(0, units.minus(free.units))
  const payingEvents = Math.max(0, usage.events - free.events)
  return { amount: billableUnits.times(model.rate).div(100).plus(fixedFee.times(payingEvents)) }
}
