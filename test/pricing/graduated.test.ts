import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import { priceGraduated } from '../../src/pricing/models/graduated.js'
import type { Tier } from '../../src/plans/types.js'

const tier = (upTo: string | undefined, unitPrice: string, flatFee = '0'): Tier => ({
  ...(upTo !== undefined && { upTo: new Decimal(upTo) }),
  unitPrice: new Decimal(unitPrice),
  flatFee: new Decimal(flatFee),
})
const graduated = (...tiers: Tier[]) => ({ model: 'graduated' as const, tiers })
const price = (model: ReturnType<typeof graduated>, units: string) =>
  priceGraduated(model, { units: new Decimal(units), events: 0 }).toFixed()

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

  it('charges a flat fee only once its tier is reached', () => {
    const withFees = graduated(tier('100', '1', '10'), tier(undefined, '0.5', '7'))
    expect(price(withFees, '0')).toBe('0')
    expect(price(withFees, '0.001')).toBe('10.001')
    expect(price(withFees, '100')).toBe('110')
    expect(price(withFees, '100.002')).toBe('117.001')
  })

  it('reaches no tier with negative units', () => {
    expect(price(plan, '-50')).toBe('0')
  })

  it('prices units beyond a closed last tier at that tier, so none go unbilled', () => {
    expect(price(graduated(tier('10', '1'), tier('20', '2', '1')), '25')).toBe('41')
  })

  it('costs nothing without tiers', () => {
    expect(price(graduated(), '10')).toBe('0')
  })
})

// Slow reference: walk unit by unit, find the tier each unit falls in, add each reached tier's fee once.
function referenceGraduated(tiers: Tier[], units: number): Decimal {
  let amount = new Decimal(0)
  const reached = new Set<number>()
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
        const amount = priceGraduated(graduated(...tiers), { units: new Decimal(units), events: 0 })
        expect(amount.toFixed()).toBe(referenceGraduated(tiers, units).toFixed())
      }),
    )
  })
})
