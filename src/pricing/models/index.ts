// The registry of charge models: adding a model means adding its file and one line here.
import type { Decimal } from '../../money/decimal.js'
import type { ChargeModel, ChargeModelName } from '../../plans/types.js'
import { priceGraduatedPercentage } from './graduated-percentage.js'
import { priceGraduated } from './graduated.js'
import { pricePackage } from './package.js'
import { pricePercentage } from './percentage.js'
import { priceStandard } from './standard.js'
import { priceVolume } from './volume.js'

/** What a charge measured in a period: its units and the number of events behind them. */
export interface Usage {
  units: Decimal
  events: number
}

export type PriceOfModel<K extends ChargeModelName> = (
  model: Extract<ChargeModel, { model: K }>,
  usage: Usage,
) => Decimal

export const chargeModels: { [K in ChargeModelName]: PriceOfModel<K> } = {
  standard: priceStandard,
  graduated: priceGraduated,
  volume: priceVolume,
  package: pricePackage,
  percentage: pricePercentage,
  graduated_percentage: priceGraduatedPercentage,
}

/** The exact, unrounded amount of a charge for its usage; the invoice rounds it once. */
export function priceCharge(model: ChargeModel, usage: Usage): Decimal {
  // TypeScript cannot correlate model.model with the registry entry; the mapped type above guarantees it.
  const price = chargeModels[model.model] as (model: ChargeModel, usage: Usage) => Decimal
  return price(model, usage)
}
