import { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'
import type { Usage } from './index.js'

// Every unit at one price. Negative units (from weighted_sum increments) give a negative amount.
export function priceStandard(model: Extract<ChargeModel, { model: 'standard' }>, usage: Usage): Decimal {
  return new Decimal(usage.units).times(model.unitPrice)
}
