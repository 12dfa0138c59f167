import type { ChargeModel, Tier } from '../../plans/types.js'
import type { ChargePrice, Usage } from '../charge-price.js'
import { graduatedTierLines, sumOfTiers, type TierPrice } from '../tiers.js'

const byUnitPrice: TierPrice<Tier> = {
  perUnit: (tier) => tier.unitPrice,
  shown: (tier) => ({ unitPrice: tier.unitPrice }),
}

// Each tier prices the units inside its own range (previous up_to, up_to] at its unit price; the first
// tier's flat fee is due even at zero units, a later one's once the tier is reached (see ../tiers.ts).
export function priceGraduated(
  model: Extract<ChargeModel, { model: 'graduated' }>,
  usage: Usage,
): ChargePrice {
  const tiers = graduatedTierLines(model.tiers, usage.units, byUnitPrice)
  return { amount: sumOfTiers(tiers), tiers }
}
