// The tier rules shared by graduated, volume and graduated_percentage charges, and their breakdown.
//
// A plan writes each tier's inclusive upper bound only (`up_to`): tier k covers (up_to[k-1], up_to[k]],
// tier 1 starts at 0 and the last tier has no ceiling. For whole units this prices exactly as Lago's
// "0-100, 101-200" layout (from = previous to + 1, which counts to - from + 1 units); for fractional
// units it is continuous, as Lago's adjacent "0-100, 100-200" layout (Lago since v1.45).
//
// The first tier's flat fee is due even at zero units (Lago since v1.51, PR #5760); a later tier's flat
// fee is due once the tier is reached, i.e. once units exceed the previous tier's up_to, so 100 units
// with a first tier up to 100 never reach the second.
import { Decimal } from '../money/decimal.js'
import type { TierLine } from './charge-price.js'

export interface PricedTier {
  upTo?: Decimal
  flatFee: Decimal
}

/** How a tier prices one unit, and how its line shows that price. */
export interface TierPrice<T> {
  perUnit: (tier: T) => Decimal
  shown: (tier: T) => Pick<TierLine, 'unitPrice' | 'rate'>
}

/** Graduated: every tier the units reach prices the units inside its own range, plus its flat fee. */
export function graduatedTierLines<T extends PricedTier>(
  tiers: readonly T[],
  units: Decimal,
  price: TierPrice<T>,
): TierLine[] {
  const total = new Decimal(units)
  const lines: TierLine[] = []
  let from = new Decimal(0)
  for (const [index, tier] of tiers.entries()) {
    if (index > 0 && total.lte(from)) break
    const upTo = ceilingOf(tiers, index)
    const inTier = (upTo === null ? total : Decimal.min(total, upTo)).minus(from)
    lines.push(tierLine(index, from, upTo, inTier, tier, price))
    if (upTo === null) break
    from = upTo
  }
  return lines
}

/** Volume: the one tier the total falls in (up_to inclusive) prices all the units, plus its flat fee. */
export function volumeTierLine<T extends PricedTier>(
  tiers: readonly T[],
  units: Decimal,
  price: TierPrice<T>,
): TierLine | undefined {
  const total = new Decimal(units)
  let from = new Decimal(0)
  for (const [index, tier] of tiers.entries()) {
    const upTo = ceilingOf(tiers, index)
    if (upTo === null || total.lte(upTo)) return tierLine(index, from, upTo, total, tier, price)
    from = upTo
  }
  return undefined
}

export function sumOfTiers(lines: readonly TierLine[]): Decimal {
  return lines.reduce((sum, line) => sum.plus(line.amount), new Decimal(0))
}

// The last tier has no ceiling even if it declares an up_to (plans refuse one), so no unit goes unbilled.
function ceilingOf(tiers: readonly PricedTier[], index: number): Decimal | null {
  const upTo = tiers[index]?.upTo
  return upTo === undefined || index === tiers.length - 1 ? null : new Decimal(upTo)
}

function tierLine<T extends PricedTier>(
  index: number,
  from: Decimal,
  upTo: Decimal | null,
  units: Decimal,
  tier: T,
  price: TierPrice<T>,
): TierLine {
  const flatFee = new Decimal(tier.flatFee)
  return {
    tier: index + 1,
    from,
    upTo,
    units,
    ...price.shown(tier),
    flatFee,
    amount: units.times(price.perUnit(tier)).plus(flatFee),
  }
}
