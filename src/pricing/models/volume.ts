import { Decimal } from '../../money/decimal.js'
import type { ChargeModel, Tier } from '../../plans/types.js'
import type { ChargePrice, Usage } from '../charge-price.js'
import { volumeTierLine, type TierPrice } from '../tiers.js'

const byUnitPrice: TierPrice<Tier> = {
  perUnit: (tier) => tier.unitPrice,
  shown: (tier) => ({ unitPrice: tier.unitPrice }),
}

// All units at the unit price of the tier the total falls in (up_to inclusive), plus that tier's flat
// fee; zero units fall in the first tier, so its flat fee is due (Lago since v1.51). A total above every
// bound falls in the last tier.
export function priceVolume(model: Extract<ChargeModel, { model: 'volume' }>, usage: Usage): ChargePrice {
  const line = volumeTierLine(model.tiers, usage.units, byUnitPrice)
  return line ? { amount: line.amount, tiers: [line] } : { amount: new Decimal(0), tiers: [] }
}
