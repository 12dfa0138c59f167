import { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'
import type { Usage } from './index.js'

// All units at the unit price of the tier the total falls in (upTo inclusive), plus that tier's flat
// fee. Nothing is due without usage. A total above every bound falls in the last tier.
export function priceVolume(model: Extract<ChargeModel, { model: 'volume' }>, usage: Usage): Decimal {
  const units = new Decimal(usage.units)
  if (units.lte(0)) return new Decimal(0)
  const tier = model.tiers.find((t) => t.upTo === undefined || units.lte(t.upTo)) ?? model.tiers.at(-1)
  if (tier === undefined) return new Decimal(0)
  return units.times(tier.unitPrice).plus(tier.flatFee)
}
