import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import type { ChargeModel } from '../../src/plans/types.js'
import { chargeModels, priceCharge, priceChargeDetailed } from '../../src/pricing/models/index.js'

const d = (value: string) => new Decimal(value)
const usage = { units: d('1500'), events: 4, eventValues: ['1000', '200', '200', '100'].map(d) }

describe('every charge model is registered and priced by its own rule', () => {
  const cases: [ChargeModel, string][] = [
    [{ model: 'standard', unitPrice: d('0.01') }, '15'],
    [
      {
        model: 'graduated',
        tiers: [
          { upTo: d('1000'), unitPrice: d('0.01'), flatFee: d('0') },
          { unitPrice: d('0.005'), flatFee: d('1') },
        ],
      },
      '13.5',
    ],
    [
      {
        model: 'volume',
        tiers: [
          { upTo: d('1000'), unitPrice: d('0.01'), flatFee: d('0') },
          { unitPrice: d('0.005'), flatFee: d('1') },
        ],
      },
      '8.5',
    ],
    [{ model: 'package', packageSize: d('1000'), packagePrice: d('3'), freeUnits: d('0') }, '6'],
    // the first event (1000 units) is free: 500 x 1 % + 3 x 0.5
    [{ model: 'percentage', rate: d('1'), fixedFee: d('0.5'), freeUnits: d('0'), freeEvents: 1 }, '6.5'],
    [
      {
        model: 'graduated_percentage',
        tiers: [
          { upTo: d('1000'), rate: d('1'), flatFee: d('0') },
          { rate: d('2'), flatFee: d('1') },
        ],
      },
      '21',
    ],
  ]

  it('has one entry per model', () => {
    expect(Object.keys(chargeModels).sort()).toEqual(cases.map(([m]) => m.model).sort())
  })

  it.each(cases)('%j -> %s', (model, expected) => {
    expect(priceCharge(model, usage).toFixed()).toBe(expected)
  })

  it.each(cases)('%j: priceChargeDetailed has the same amount, and tiers only for tiered models', (model) => {
    const detailed = priceChargeDetailed(model, usage)
    expect(detailed.amount.toFixed()).toBe(priceCharge(model, usage).toFixed())
    expect(detailed.tiers !== undefined).toBe('tiers' in model)
  })
})
