import type { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'
import { priceTiersGraduated } from './graduated.js'
import type { Usage } from './index.js'

// Graduated, with each tier's units priced at rate % of their value, plus the tier's flat fee once reached.
export function priceGraduatedPercentage(
  model: Extract<ChargeModel, { model: 'graduated_percentage' }>,
  usage: Usage,
): Decimal {
  return priceTiersGraduated(model.tiers, usage.units, (tier) => tier.rate.div(100))
}
