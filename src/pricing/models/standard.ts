import { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'
import type { ChargePrice, Usage } from '../charge-price.js'

// Every unit at one price.
export function priceStandard(model: Extract<ChargeModel, { model: 'standard' }>, usage: Usage): ChargePrice {
  return { amount: new Decimal(usage.units).times(model.unitPrice) }
}
