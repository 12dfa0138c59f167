import { Decimal } from '../../money/decimal.js'
import type { ChargeModel } from '../../plans/types.js'
import type { ChargePrice, Usage } from '../charge-price.js'

// Units beyond the free ones are sold in whole packages, rounded up: 201 units in packages of 100 is
// 3 packages. Free units larger than usage cost nothing, and so do zero units.
export function pricePackage(model: Extract<ChargeModel, { model: 'package' }>, usage: Usage): ChargePrice {
  const billable = Decimal.max(0, new Decimal(usage.units).minus(model.freeUnits))
  // divToInt and mod are exact, unlike a division that would be rounded to the precision before ceil.
  const wholePackages = billable.divToInt(model.packageSize)
  const packages = billable.mod(model.packageSize).isZero() ? wholePackages : wholePackages.plus(1)
  return { amount: packages.times(model.packagePrice) }
}
