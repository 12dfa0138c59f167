// The registry of charge models. Adding a model means its type (plans/types.ts), its YAML schema
// (plans/schema.ts), its file here and one line below; the compiler then points to the switches that
// describe it (render/plans.ts, documents/charge-terms.ts).
import type { Decimal } from '../../money/decimal.js'
import type { ChargeModel, ChargeModelName } from '../../plans/types.js'
import type { ChargePrice, Usage } from '../charge-price.js'
import { priceNegativeAtZero } from '../negative-units.js'
import { priceGraduatedPercentage } from './graduated-percentage.js'
import { priceGraduated } from './graduated.js'
import { pricePackage } from './package.js'
import { pricePercentage } from './percentage.js'
import { priceStandard } from './standard.js'
import { priceVolume } from './volume.js'

export type { ChargePrice, TierLine, Usage } from '../charge-price.js'
export {
  eventValuesNeeded,
  hasPerEventBounds,
  runningTotalOf,
  type EventValuesNeed,
  type RunningTotal,
} from '../event-values.js'

/** A model's own rule, for zero or more units (negative ones never reach it: see ../negative-units.ts). */
export type PriceOfModel<K extends ChargeModelName> = (
  model: Extract<ChargeModel, { model: K }>,
  usage: Usage,
) => ChargePrice

export const chargeModels: { [K in ChargeModelName]: PriceOfModel<K> } = {
  standard: priceStandard,
  graduated: priceGraduated,
  volume: priceVolume,
  package: pricePackage,
  percentage: pricePercentage,
  graduated_percentage: priceGraduatedPercentage,
}

/** The exact, unrounded amount of a charge for its usage, with its tiers for tiered models. */
export function priceChargeDetailed(model: ChargeModel, usage: Usage): ChargePrice {
  // TypeScript cannot correlate model.model with the registry entry; the mapped type above guarantees it.
  const price = chargeModels[model.model] as (model: ChargeModel, usage: Usage) => ChargePrice
  return priceNegativeAtZero(model, usage, (u) => price(model, u))
}

/** The exact, unrounded amount of a charge for its usage; the invoice rounds it once. */
export function priceCharge(model: ChargeModel, usage: Usage): Decimal {
  return priceChargeDetailed(model, usage).amount
}
