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
const volume = (...tiers: Tier[]) => ({ model: 'volume' as const, tiers })
const price = (model: ReturnType<typeof volume>, units: string | Decimal) =>
  priceCharge(model, { units: new Decimal(units), events: 0 })

// 0.10 up to 1000, 0.08 up to 10000 (+5), 0.05 beyond (+20)
const plan = volume(tier('1000', '0.10'), tier('10000', '0.08', '5'), tier(undefined, '0.05', '20'))

describe('volume: all units at the price of the tier the total falls in', () => {
  it.each([
    ['0', '0'],
    ['0.25', '0.025'],
    ['999', '99.9'],
    ['1000', '100'],
    ['1001', '85.08'],
    ['1000.5', '85.04'],
    ['10000', '805'],
    ['20000', '1020'],
  ])('%s units -> %s', (units, expected) => {
    expect(price(plan, units).toFixed()).toBe(expected)
  })

  it('treats the upper bound as inclusive on a fractional boundary', () => {
    const half = volume(tier('0.5', '2', '1'), tier(undefined, '1'))
    expect(price(half, '0.5').toFixed()).toBe('2')
    expect(price(half, '0.5001').toFixed()).toBe('0.5001')
  })

  it('puts a total above every bound in the last tier', () => {
    expect(price(volume(tier('10', '1'), tier('20', '0.5', '2')), '30').toFixed()).toBe('17')
  })

  it("matches Lago's documented example: 65,000 calls in the 50,001-100,000 tier at 0.0006 + 10", () => {
    const lago = volume(
      tier('50000', '0.001'),
      tier('100000', '0.0006', '10'),
      tier(undefined, '0.0004', '20'),
    )
    expect(price(lago, '65000').toFixed()).toBe('49')
  })
})

describe("the first tier's flat fee is due even at zero units, a later tier's once the tier is reached", () => {
  it('charges the first tier flat fee at zero units', () => {
    expect(price(volume(tier(undefined, '1', '50')), '0').toFixed()).toBe('50')
    expect(price(volume(tier('10', '1', '5'), tier(undefined, '1', '50')), '0').toFixed()).toBe('5')
  })

  it("charges only the tier the total falls in: at exactly a bound, that tier's flat fee", () => {
    const fees = volume(tier('10', '1', '5'), tier(undefined, '1', '50'))
    expect(price(fees, '10').toFixed()).toBe('15')
    expect(price(fees, '10.5').toFixed()).toBe('60.5')
  })
})

describe('volume is monotone in units within a tier', () => {
  const inFirstTier = fc.integer({ min: 1, max: 100_000 }).map((n) => new Decimal(n).div(100)) // (0, 1000]
  it('never charges less for more units in the same tier', () => {
    fc.assert(
      fc.property(inFirstTier, inFirstTier, (a, b) => {
        const [low, high] = a.lte(b) ? [a, b] : [b, a]
        expect(price(plan, low).lte(price(plan, high))).toBe(true)
      }),
    )
  })
})
