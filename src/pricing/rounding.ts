// A billable metric's rounding (Lago's rounding_function and rounding_precision, applied by
// BillableMetrics::Aggregations::BaseService#apply_rounding): the aggregated units of an interval are
// rounded before any charge model sees them. Precision is digits after the point and may be negative
// (-2 rounds to hundreds); round is half-up, ties away from zero; ceil and floor as in mathematics.
import type { Decimal as DecimalJs } from 'decimal.js'
import { Decimal } from '../money/decimal.js'
import type { RoundingFunction, UnitRounding } from '../plans/types.js'

const MODES: Record<RoundingFunction, DecimalJs.Rounding> = {
  round: Decimal.ROUND_HALF_UP,
  ceil: Decimal.ROUND_CEIL,
  floor: Decimal.ROUND_FLOOR,
}

/** The units as the metric rounds them; unchanged without a rounding. */
export function roundUnits(units: Decimal, rounding: UnitRounding | undefined): Decimal {
  const exact = new Decimal(units)
  if (rounding === undefined) return exact
  // Scaling by a power of ten is exact, so one rounding to an integer does it for any precision.
  const scale = new Decimal(10).pow(rounding.precision)
  const rounded = exact.times(scale).toDecimalPlaces(0, MODES[rounding.function]).div(scale)
  // -0.4 rounds to -0; units of 0 read better.
  return rounded.isZero() ? new Decimal(0) : rounded
}
