// The project's ISO 4217 table: which codes a plan may be priced in and how many digits their minor unit has.
// It is pinned: the data is ISO's List One as the package `currency-codes` ships it (its version is exact in
// package.json), not Intl, whose CLDR digits change with the Node build (CLDR: HUF 0, IQD 0; ISO: 2, 3).
import { data, publishDate } from 'currency-codes'

/** Publication date of the ISO 4217 List One the table is copied from ("2024-06-25" in currency-codes 2.2.0). */
export const listOnePublished: string = publishDate

// List One's codes whose minor unit is "N.A." (the package writes 0 for them): precious metals, bond-market
// units, SDR, SUCRE, the ADB unit, the testing code and "no currency". An invoice can't be rounded in them.
const withoutMinorUnit: ReadonlySet<string> = new Set([
  'XAG',
  'XAU',
  'XBA',
  'XBB',
  'XBC',
  'XBD',
  'XDR',
  'XPD',
  'XPT',
  'XSU',
  'XTS',
  'XUA',
  'XXX',
])

// Funds codes (CLF, UYW, CHE, USN, ...) have real minor units and stay: contracts are priced in some of them.
const minorUnitsByCode: ReadonlyMap<string, number> = new Map(
  data.filter((entry) => !withoutMinorUnit.has(entry.code)).map((entry) => [entry.code, entry.digits]),
)

/** Digits of the code's minor unit per ISO 4217 (USD 2, JPY 0, IQD 3, CLF 4), or undefined if it can't price. */
export function isoMinorUnits(code: string): number | undefined {
  return minorUnitsByCode.get(code)
}

/** Why `code` can't be a plan's currency, or undefined if it can. */
export function currencyProblem(code: string): string | undefined {
  if (minorUnitsByCode.has(code)) return undefined
  if (!/^[A-Z]{3}$/.test(code)) return `"${code}" is not three uppercase letters, as ISO 4217 codes are`
  if (withoutMinorUnit.has(code)) {
    return `${code} has no minor unit in ISO 4217, so amounts in it can't be rounded`
  }
  return `${code} is not an active ISO 4217 code (List One published ${listOnePublished})`
}
