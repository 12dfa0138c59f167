import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import type { ChargeModel } from '../../src/plans/types.js'
import { priceChargeDetailed } from '../../src/pricing/models/index.js'

const d = (value: string) => new Decimal(value)
const tiers = [
  { upTo: d('10'), unitPrice: d('1'), flatFee: d('5') },
  { unitPrice: d('0.5'), flatFee: d('7') },
]

// Every model, each with something due at zero units or per event, so that 0 can only come from the rule.
const models: ChargeModel[] = [
  { model: 'standard', unitPrice: d('2') },
  { model: 'graduated', tiers },
  { model: 'volume', tiers },
  { model: 'package', packageSize: d('10'), packagePrice: d('3'), freeUnits: d('0') },
  { model: 'percentage', rate: d('10'), fixedFee: d('1'), freeUnits: d('0'), freeEvents: 0 },
  {
    model: 'graduated_percentage',
    tiers: tiers.map(({ unitPrice, ...t }) => ({ ...t, rate: unitPrice })),
  },
]

describe('negative units are priced at 0, without any flat fee (Lago: Fees::ChargeService#init_fee)', () => {
  it.each(models.map((m) => [m.model, m] as const))(
    '%s: -3 units cost 0, and no tier is reached',
    (_, model) => {
      const price = priceChargeDetailed(model, { units: d('-3'), events: 2 })
      expect(price.amount.toFixed()).toBe('0')
      expect(price.tiers).toEqual('tiers' in model ? [] : undefined)
    },
  )

  it.each(models.map((m) => [m.model, m] as const))('%s: a hair below zero costs 0 too', (_, model) => {
    expect(priceChargeDetailed(model, { units: d('-0.000001'), events: 1 }).amount.toFixed()).toBe('0')
  })

  it('prices -0 like 0', () => {
    expect(priceChargeDetailed(models[1]!, { units: d('-0'), events: 0 }).amount.toFixed()).toBe('5')
  })

  it('prices a negative amount at 0: events of negative value with per-event bounds', () => {
    const model: ChargeModel = {
      model: 'percentage',
      rate: d('10'),
      fixedFee: d('0'),
      freeUnits: d('0'),
      freeEvents: 0,
      perEventMax: d('5'),
    }
    // 10 lowered to the maximum 5, then -10: -5 before the rule; Lago's init_fee makes a negative amount 0.
    const usage = { units: d('0'), events: 2, eventValues: [d('100'), d('-100')] }
    expect(priceChargeDetailed(model, usage).amount.toFixed()).toBe('0')
  })
})
