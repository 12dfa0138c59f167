import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import { priceCharge } from '../../src/pricing/models/index.js'
import type { Tier } from '../../src/plans/types.js'

const tier = (upTo: string | undefined, unitPrice: string, flatFee = '0'): Tier => ({
  ...(upTo !== undefined && { upTo: new Decimal(upTo) }),
  unitPrice: new Decimal(unitPrice),
  flatFee: new Decimal(flatFee),
})
const graduated = (...tiers: Tier[]) => ({ model: 'graduated' as const, tiers })
const price = (model: ReturnType<typeof graduated>, units: string) =>
  priceCharge(model, { units: new Decimal(units), events: 0 }).toFixed()

// 0.10 up to 1000, 0.08 up to 10000 (+5 once reached), 0.05 beyond (+20 once reached)
const plan = graduated(tier('1000', '0.10'), tier('10000', '0.08', '5'), tier(undefined, '0.05', '20'))

describe('graduated: each tier prices its own units', () => {
  it.each([
    ['0', '0'],
    ['999', '99.9'],
    ['1000', '100'],
    ['1001', '105.08'],
    ['10000', '825'],
    ['10001', '845.05'],
    ['1000.5', '105.04'],
    ['20000', '1345'],
  ])('%s units -> %s', (units, expected) => {
    expect(price(plan, units)).toBe(expected)
  })

  it('treats the upper bound as inclusive on a fractional boundary', () => {
    const half = graduated(tier('0.5', '2'), tier(undefined, '1', '3'))
    expect(price(half, '0.5')).toBe('1')
    expect(price(half, '0.75')).toBe('4.25')
  })

  it('prices units beyond a closed last tier at that tier, so none go unbilled', () => {
    expect(price(graduated(tier('10', '1'), tier('20', '2', '1')), '25')).toBe('41')
  })

  it('costs nothing without tiers', () => {
    expect(price(graduated(), '10')).toBe('0')
  })
})

describe("the first tier's flat fee is due even at zero units, a later tier's once the tier is reached", () => {
  const withFees = graduated(tier('100', '1', '10'), tier(undefined, '0.5', '7'))

  it('charges the first flat fee at zero units', () => {
    expect(price(withFees, '0')).toBe('10')
  })

  it('does not reach the next tier at exactly the bound, and reaches it just above', () => {
    expect(price(withFees, '0.001')).toBe('10.001')
    expect(price(withFees, '100')).toBe('110')
    expect(price(withFees, '100.002')).toBe('117.001')
  })

  // Lago's spec (graduated_service_spec.rb), ranges 0-10 @10 +2, 11-20 @5 +3, 21-inf @5 +3, v1.51+.
  it.each([
    ['0', '2'],
    ['1', '12'],
    ['10', '102'],
    ['11', '110'],
    ['12', '115'],
    ['21', '163'],
  ])("matches Lago's spec table: %s units -> %s", (units, expected) => {
    const lago = graduated(tier('10', '10', '2'), tier('20', '5', '3'), tier(undefined, '5', '3'))
    expect(price(lago, units)).toBe(expected)
  })
})

// Slow reference: walk unit by unit, find the tier each unit falls in, add each reached tier's fee once;
// the first tier is reached even by zero units.
function referenceGraduated(tiers: Tier[], units: number): Decimal {
  let amount = new Decimal(0)
  const reached = new Set<number>([0])
  for (let unit = 1; unit <= units; unit++) {
    let index = tiers.findIndex((t) => t.upTo === undefined || t.upTo.gte(unit))
    if (index === -1) index = tiers.length - 1
    amount = amount.plus(tiers[index]!.unitPrice)
    reached.add(index)
  }
  for (const index of reached) amount = amount.plus(tiers[index]!.flatFee)
  return amount
}

const cents = fc.integer({ min: 0, max: 10_000 }).map((n) => new Decimal(n).div(100))
const tiersArbitrary = fc
  .array(fc.record({ width: fc.integer({ min: 1, max: 300 }), unitPrice: cents, flatFee: cents }), {
    minLength: 1,
    maxLength: 5,
  })
  .map((specs) => {
    let bound = 0
    return specs.map((spec, i): Tier => {
      bound += spec.width
      const last = i === specs.length - 1
      return { ...(!last && { upTo: new Decimal(bound) }), unitPrice: spec.unitPrice, flatFee: spec.flatFee }
    })
  })

describe('graduated equals the sum over its tiers', () => {
  it('matches a unit-by-unit reference for whole units', () => {
    fc.assert(
      fc.property(tiersArbitrary, fc.integer({ min: 0, max: 2000 }), (tiers, units) => {
        expect(price(graduated(...tiers), String(units))).toBe(referenceGraduated(tiers, units).toFixed())
      }),
    )
  })
})
