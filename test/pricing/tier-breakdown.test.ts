import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import type { ChargeModel, Tier } from '../../src/plans/types.js'
import { priceChargeDetailed, type TierLine } from '../../src/pricing/models/index.js'

const d = (value: string) => new Decimal(value)
const tier = (upTo: string | undefined, unitPrice: string, flatFee = '0'): Tier => ({
  ...(upTo !== undefined && { upTo: d(upTo) }),
  unitPrice: d(unitPrice),
  flatFee: d(flatFee),
})
const tiers = [tier('100', '1', '10'), tier('200', '0.5', '7'), tier(undefined, '0.1', '3')]
const breakdown = (model: ChargeModel, units: string) =>
  priceChargeDetailed(model, { units: d(units), events: 0 }).tiers?.map(plain)
const plain = (line: TierLine) =>
  Object.fromEntries(Object.entries(line).map(([k, v]) => [k, Decimal.isDecimal(v) ? v.toFixed() : v]))

describe('tier breakdown: every tier the units reach, with its units, price, flat fee and amount', () => {
  it('graduated: each reached tier with the units inside it', () => {
    expect(breakdown({ model: 'graduated', tiers }, '250')).toEqual([
      { tier: 1, from: '0', upTo: '100', units: '100', unitPrice: '1', flatFee: '10', amount: '110' },
      { tier: 2, from: '100', upTo: '200', units: '100', unitPrice: '0.5', flatFee: '7', amount: '57' },
      { tier: 3, from: '200', upTo: null, units: '50', unitPrice: '0.1', flatFee: '3', amount: '8' },
    ])
  })

  it('graduated: the first tier at zero units, with its flat fee; no later tier at exactly a bound', () => {
    expect(breakdown({ model: 'graduated', tiers }, '0')).toEqual([
      { tier: 1, from: '0', upTo: '100', units: '0', unitPrice: '1', flatFee: '10', amount: '10' },
    ])
    expect(breakdown({ model: 'graduated', tiers }, '100')?.map((l) => l.tier)).toEqual([1])
    expect(breakdown({ model: 'graduated', tiers }, '100.5')?.at(-1)).toMatchObject({ tier: 2, units: '0.5' })
  })

  it('volume: the one tier the total falls in, pricing all the units', () => {
    expect(breakdown({ model: 'volume', tiers }, '150')).toEqual([
      { tier: 2, from: '100', upTo: '200', units: '150', unitPrice: '0.5', flatFee: '7', amount: '82' },
    ])
    expect(breakdown({ model: 'volume', tiers }, '0')).toEqual([
      { tier: 1, from: '0', upTo: '100', units: '0', unitPrice: '1', flatFee: '10', amount: '10' },
    ])
  })

  it('graduated_percentage: each reached tier with its rate', () => {
    const model: ChargeModel = {
      model: 'graduated_percentage',
      tiers: [
        { upTo: d('1000'), rate: d('1'), flatFee: d('2') },
        { rate: d('0.5'), flatFee: d('0') },
      ],
    }
    expect(breakdown(model, '1500')).toEqual([
      { tier: 1, from: '0', upTo: '1000', units: '1000', rate: '1', flatFee: '2', amount: '12' },
      { tier: 2, from: '1000', upTo: null, units: '500', rate: '0.5', flatFee: '0', amount: '2.5' },
    ])
  })

  it('gives no breakdown for untiered models', () => {
    expect(breakdown({ model: 'standard', unitPrice: d('1') }, '10')).toBeUndefined()
  })
})

const hundredths = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Decimal(n).div(100))
const tieredModel: fc.Arbitrary<ChargeModel> = fc
  .tuple(
    fc.constantFrom('graduated' as const, 'volume' as const, 'graduated_percentage' as const),
    fc.array(
      fc.record({ width: hundredths(1, 30_000), price: hundredths(0, 10_000), fee: hundredths(0, 10_000) }),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
  )
  .map(([model, specs]) => {
    let bound = new Decimal(0)
    const bounds = specs.map((s, i) => {
      bound = bound.plus(s.width)
      return i === specs.length - 1 ? {} : { upTo: bound }
    })
    if (model === 'graduated_percentage') {
      return { model, tiers: specs.map((s, i) => ({ ...bounds[i], rate: s.price, flatFee: s.fee })) }
    }
    return { model, tiers: specs.map((s, i) => ({ ...bounds[i], unitPrice: s.price, flatFee: s.fee })) }
  })

describe("the tiers' amounts add up to the charge amount", () => {
  it('for any tiers and any units, fractional, zero and negative ones included', () => {
    fc.assert(
      fc.property(
        tieredModel,
        fc.oneof(hundredths(-1_000, 200_000), fc.constant(new Decimal(0))),
        (model, units) => {
          const price = priceChargeDetailed(model, { units, events: 0 })
          const sum = (price.tiers ?? []).reduce((total, line) => total.plus(line.amount), new Decimal(0))
          expect(price.tiers).toBeDefined()
          expect(sum.toFixed()).toBe(price.amount.toFixed())
          // Each line's units sit inside its tier (volume: all the units in one tier).
          for (const line of price.tiers ?? []) {
            expect(line.units.gte(0)).toBe(true)
            if (model.model !== 'volume' && line.upTo)
              expect(line.units.lte(line.upTo.minus(line.from))).toBe(true)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
