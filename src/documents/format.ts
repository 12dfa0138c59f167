// Numbers and dates as a person reads them in the seller's locale. Amounts are formatted from the
// exact decimal strings of the invoice, never through a binary float: Intl.NumberFormat reads a
// string as an exact decimal (ECMA-402 NumberFormat v3), so 12345678901234.56 keeps every digit.
import { Decimal, minorUnits } from '../money/decimal.js'

/** Intl keeps at most 20 digits after the point; an exact tier amount may have more (price x units). */
const MAX_INTL_DECIMALS = 20

/** Digits after the point of a plain decimal string: "16.71525" -> 5. */
function decimalsOf(value: string): number {
  return value.split('.')[1]?.length ?? 0
}

/**
 * An amount in the currency, with the currency's ISO 4217 minor digits (EUR 2, JPY 0, BHD 3) and more
 * when the value has more (an exact unit price such as 0.00005): no digit of the value is dropped.
 * fr-FR: `1 234,56 €`, with the narrow no-break spaces CLDR prescribes.
 */
export function formatMoney(amount: string, currency: string, locale: string): string {
  const minor = minorUnits(currency)
  const digits = Math.min(Math.max(minor, decimalsOf(amount)), MAX_INTL_DECIMALS)
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: minor,
    maximumFractionDigits: digits,
  }).format(exact(amount))
}

/** A quantity of units, grouped as the locale groups digits: `1 234 567,5` in fr-FR. */
export function formatUnits(units: string, locale: string): string {
  const digits = Math.min(decimalsOf(units), MAX_INTL_DECIMALS)
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(exact(units))
}

/** A rate given in percent ("1.2" is 1.2 %), as the locale writes percentages: `1,2 %` in fr-FR. */
export function formatPercent(percent: string, locale: string): string {
  const fraction = new Decimal(percent).div(100).toFixed()
  const digits = Math.min(Math.max(decimalsOf(fraction) - 2, 0), MAX_INTL_DECIMALS)
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(
    exact(fraction),
  )
}

/** A UTC calendar date in the locale's long form: `1 octobre 2026`, `October 1, 2026`. */
export function formatDate(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date)
}

// Intl's types accept only numbers and bigints, though the engine takes a decimal string as an exact
// value (checked by the tests with values no double holds). A string that is not a decimal is a defect.
function exact(value: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(value)) throw new RangeError(`not a decimal string: ${JSON.stringify(value)}`)
  return value as unknown as number
}
