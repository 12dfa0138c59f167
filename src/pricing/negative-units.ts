// Negative units (a weighted sum of increments can fall below zero) cost nothing, not even a flat fee,
// and neither does a negative amount: Lago's Fees::ChargeService#init_fee sets such a fee's units and
// amount to 0.
import { Decimal } from '../money/decimal.js'
import type { ChargeModel } from '../plans/types.js'
import type { ChargePrice, Usage } from './charge-price.js'

const TIERED: ReadonlySet<ChargeModel['model']> = new Set(['graduated', 'volume', 'graduated_percentage'])

export function priceNegativeAtZero(
  model: ChargeModel,
  usage: Usage,
  price: (usage: Usage) => ChargePrice,
): ChargePrice {
  // lt(0), not isNegative(): -0 is not below zero.
  if (new Decimal(usage.units).lt(0)) return nothingDue(model)
  const priced = price(usage)
  return priced.amount.lt(0) ? nothingDue(model) : priced
}

/** 0, with an empty tier breakdown for a tiered model: no tier is reached. */
function nothingDue(model: ChargeModel): ChargePrice {
  return TIERED.has(model.model) ? { amount: new Decimal(0), tiers: [] } : { amount: new Decimal(0) }
}
