import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import { priceCharge } from '../../src/pricing/models/index.js'
import type { PercentageTier } from '../../src/plans/types.js'

const tier = (upTo: string | undefined, rate: string, flatFee = '0'): PercentageTier => ({
  ...(upTo !== undefined && { upTo: new Decimal(upTo) }),
  rate: new Decimal(rate),
  flatFee: new Decimal(flatFee),
})
const graduatedPercentage = (...tiers: PercentageTier[]) => ({
  model: 'graduated_percentage' as const,
  tiers,
})
const price = (model: ReturnType<typeof graduatedPercentage>, units: string | Decimal) =>
  priceCharge(model, { units: new Decimal(units), events: 0 })

// 2 % up to 1000, 1 % up to 10000 (+0.5 once reached), 0.5 % beyond (+1 once reached)
const plan = graduatedPercentage(tier('1000', '2'), tier('10000', '1', '0.5'), tier(undefined, '0.5', '1'))

describe('graduated percentage: each tier takes its rate of its own units', () => {
  it.each([
    ['0', '0'],
    ['999', '19.98'],
    ['1000', '20'],
    ['1001', '20.51'],
    ['10000', '110.5'],
    ['20000', '161.5'],
    ['0.333', '0.00666'],
  ])('%s -> %s', (units, expected) => {
    expect(price(plan, units).toFixed()).toBe(expected)
  })

  it('equals graduated with a unit price of rate / 100', () => {
    const percent = fc.integer({ min: 0, max: 1000 }).map((n) => new Decimal(n).div(100))
    const spec = fc.array(
      fc.record({ width: fc.integer({ min: 1, max: 500 }), rate: percent, fee: percent }),
      {
        minLength: 1,
        maxLength: 4,
      },
    )
    const units = fc.integer({ min: 0, max: 300_000 }).map((n) => new Decimal(n).div(100))
    fc.assert(
      fc.property(spec, units, (specs, u) => {
        let bound = 0
        const tiers = specs.map((s, i) => {
          bound += s.width
          const upTo = i === specs.length - 1 ? undefined : String(bound)
          return tier(upTo, s.rate.toFixed(), s.fee.toFixed())
        })
        const asGraduated = tiers.map((t) => ({ ...t, unitPrice: t.rate.div(100) }))
        const expected = priceCharge({ model: 'graduated', tiers: asGraduated }, { units: u, events: 0 })
        expect(price(graduatedPercentage(...tiers), u).toFixed()).toBe(expected.toFixed())
      }),
    )
  })
})

describe("the first tier's flat fee is due even at zero units, a later tier's once the tier is reached", () => {
  const withFee = graduatedPercentage(tier('100', '1', '3'), tier(undefined, '1', '4'))

  it('charges the first flat fee at zero units', () => {
    expect(price(withFee, '0').toFixed()).toBe('3')
  })

  it('reaches the second tier only above the first up_to', () => {
    expect(price(withFee, '100').toFixed()).toBe('4')
    expect(price(withFee, '100.5').toFixed()).toBe('8.005')
    expect(price(withFee, '200').toFixed()).toBe('9')
  })
})
