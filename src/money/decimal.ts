// The one Decimal configuration of the project: every amount and quantity is built here, so that
// every operation runs with the same precision and rounding. Money is never a binary float.
// Named import: under NodeNext, decimal.js's default export is typed as the CommonJS module object.
import { Decimal as DecimalJs } from 'decimal.js'
import { currencyProblem, isoMinorUnits } from './iso4217.js'

// 60 significant digits keep intermediate results exact for any realistic price x quantity.
export const Decimal = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_UP })
export type Decimal = DecimalJs

/**
 * Digits after the decimal point of the currency's minor unit (USD 2, JPY 0, BHD 3), per the pinned ISO 4217
 * table of ./iso4217.ts. Throws for a code a plan can't use; plans are validated with `isCurrency` first.
 */
export function minorUnits(currency: string): number {
  const digits = isoMinorUnits(currency)
  if (digits === undefined) throw new RangeError(currencyProblem(currency))
  return digits
}

/** True for an active ISO 4217 code that has a minor unit, spelled as three uppercase letters ("USD", not "usd"). */
export function isCurrency(code: string): boolean {
  return isoMinorUnits(code) !== undefined
}

/**
 * Rounds once, half-up, to the currency's minor unit: 0.005 -> 0.01, 0.004999 -> 0.00.
 * Half-up is away from zero for negatives too (-0.005 -> -0.01), as decimal.js's ROUND_HALF_UP does.
 */
export function roundMoney(amount: DecimalJs.Value, currency: string): Decimal {
  const rounded = decimal(amount).toDecimalPlaces(minorUnits(currency), Decimal.ROUND_HALF_UP)
  // A tiny negative amount rounds to -0; an invoice should say 0.
  return rounded.isZero() ? new Decimal(0) : rounded
}

/**
 * Plain notation, never exponential, with at least `minDecimals` digits after the point and no
 * trailing zeros beyond them: formatDecimal(12.5, 2) is "12.50", formatDecimal(0.125) is "0.125".
 */
export function formatDecimal(value: DecimalJs.Value, minDecimals = 0): string {
  const d = decimal(value)
  return d.decimalPlaces() < minDecimals ? d.toFixed(minDecimals) : d.toFixed()
}

/** The value as a Decimal: itself when it is one already (Decimals are immutable), else parsed. */
function decimal(value: DecimalJs.Value): DecimalJs {
  return value instanceof DecimalJs ? value : new Decimal(value)
}
