// What a customer reads in the "Unit price" column for a charge: the plan's price terms, written in
// the seller's locale. Tiered models show their tiers as rows of their own instead (see document.ts).
import { formatDecimal } from '../money/decimal.js'
import type { Charge } from '../plans/types.js'
import { formatMoney, formatPercent, formatUnits } from './format.js'

export interface Formats {
  money(amount: string): string
  units(units: string): string
  percent(percent: string): string
}

export function formatsFor(currency: string, locale: string): Formats {
  return {
    money: (amount) => formatMoney(amount, currency, locale),
    units: (units) => formatUnits(units, locale),
    percent: (percent) => formatPercent(percent, locale),
  }
}

/** `$12.00`, `$5.00 per 100 units, first 100 free`, `1.2% + €0.10 per event, first 10 events free`. */
export function chargeTerms(charge: Charge, f: Formats): string {
  switch (charge.model) {
    case 'standard':
      return f.money(formatDecimal(charge.unitPrice))
    case 'package': {
      const free = charge.freeUnits.isZero() ? '' : `, first ${f.units(formatDecimal(charge.freeUnits))} free`
      return `${f.money(formatDecimal(charge.packagePrice))} per ${f.units(formatDecimal(charge.packageSize))} units${free}`
    }
    case 'percentage':
      return percentageTerms(charge, f)
    case 'graduated':
    case 'volume':
    case 'graduated_percentage':
      return ''
  }
}

function percentageTerms(charge: Extract<Charge, { model: 'percentage' }>, f: Formats): string {
  const parts = [f.percent(formatDecimal(charge.rate))]
  if (!charge.fixedFee.isZero()) parts[0] += ` + ${f.money(formatDecimal(charge.fixedFee))} per event`
  if (charge.freeEvents > 0) parts.push(`first ${f.units(String(charge.freeEvents))} events free`)
  if (!charge.freeUnits.isZero()) parts.push(`first ${f.units(formatDecimal(charge.freeUnits))} free`)
  if (charge.perEventMin) parts.push(`at least ${f.money(formatDecimal(charge.perEventMin))} per event`)
  if (charge.perEventMax) parts.push(`at most ${f.money(formatDecimal(charge.perEventMax))} per event`)
  return parts.join(', ')
}
