import { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'
import type { ChargePrice, Usage } from '../charge-price.js'

// rate % of the units beyond the free ones, plus the fixed fee for each event beyond the free events
// (the first freeEvents events carry no fixed fee).
export function pricePercentage(
  model: Extract<ChargeModel, { model: 'percentage' }>,
  usage: Usage,
): ChargePrice {
  const billableUnits = Decimal.max(0, new Decimal(usage.units).minus(model.freeUnits))
  const paidEvents = Math.max(0, usage.events - model.freeEvents)
  return {
    amount: billableUnits.times(model.rate).div(100).plus(new Decimal(paidEvents).times(model.fixedFee)),
  }
}
