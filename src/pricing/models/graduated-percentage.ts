import { Decimal } from '../../money/decimal.js'
import type { ChargeModel, PercentageTier } from '../../plans/types.js'
import type { ChargePrice, Usage } from '../charge-price.js'
import { graduatedTierLines, sumOfTiers, type TierPrice } from '../tiers.js'

const byRate: TierPrice<PercentageTier> = {
  perUnit: (tier) => new Decimal(tier.rate).div(100),
  shown: (tier) => ({ rate: tier.rate }),
}

// Graduated, with each tier's units priced at rate % of their value, plus the tier's flat fee: the first
// tier's even at zero units, a later one's once the tier is reached (see ../tiers.ts).
export function priceGraduatedPercentage(
  model: Extract<ChargeModel, { model: 'graduated_percentage' }>,
  usage: Usage,
): ChargePrice {
  const tiers = graduatedTierLines(model.tiers, usage.units, byRate)
  return { amount: sumOfTiers(tiers), tiers }
}
