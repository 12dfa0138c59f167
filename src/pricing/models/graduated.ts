import { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'
import type { Usage } from './index.js'

interface TierBounds {
  upTo?: Decimal
  flatFee: Decimal
}

// Each tier prices the units inside its own range (previous upTo, upTo]; its flat fee is due once the
// tier is reached, i.e. once units exceed its lower bound. Zero or negative units reach no tier.
export function priceGraduated(model: Extract<ChargeModel, { model: 'graduated' }>, usage: Usage): Decimal {
  return priceTiersGraduated(model.tiers, usage.units, (tier) => tier.unitPrice)
}

/**
 * The graduated rule for any tier shape, given the price of one unit in a tier. The last tier has no
 * ceiling even if it declares an upTo, so no unit goes unbilled.
 */
export function priceTiersGraduated<T extends TierBounds>(
  tiers: readonly T[],
  units: Decimal,
  unitPriceOf: (tier: T) => Decimal,
): Decimal {
  const total = new Decimal(units)
  let amount = new Decimal(0)
  let lowerBound = new Decimal(0)
  for (const [index, tier] of tiers.entries()) {
    if (total.lte(lowerBound)) break
    const isLast = index === tiers.length - 1
    const upperBound = tier.upTo === undefined || isLast ? total : Decimal.min(total, tier.upTo)
    amount = amount.plus(upperBound.minus(lowerBound).times(unitPriceOf(tier))).plus(tier.flatFee)
    if (tier.upTo === undefined) break
    lowerBound = new Decimal(tier.upTo)
  }
  return amount
}
