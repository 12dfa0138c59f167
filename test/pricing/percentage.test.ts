import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import { priceCharge } from '../../src/pricing/models/index.js'

const percentage = (rate: string, fixedFee = '0', freeUnits = '0', freeEvents = 0) => ({
  model: 'percentage' as const,
  rate: new Decimal(rate),
  fixedFee: new Decimal(fixedFee),
  freeUnits: new Decimal(freeUnits),
  freeEvents,
})
const price = (model: ReturnType<typeof percentage>, units: string, events: number) =>
  priceCharge(model, { units: new Decimal(units), events }).toFixed()

describe('percentage: rate % of the units plus a fixed fee per paid event', () => {
  it('takes 1.2 % of 1000 and 0.25 for each of 10 events', () => {
    expect(price(percentage('1.2', '0.25'), '1000', 10)).toBe('14.5')
  })

  it('charges no fixed fee for the first free events', () => {
    expect(price(percentage('1.2', '0.25', '0', 3), '1000', 10)).toBe('13.75')
    expect(price(percentage('1.2', '0.25', '0', 3), '1000', 2)).toBe('12')
  })

  it('applies the rate only beyond the free units', () => {
    expect(price(percentage('2', '0', '250'), '1000', 0)).toBe('15')
  })

  it('charges only event fees when the free units exceed the usage', () => {
    expect(price(percentage('2', '0.1', '5000'), '1000', 4)).toBe('0.4')
  })

  it('costs nothing without usage', () => {
    expect(price(percentage('2', '0.1'), '0', 0)).toBe('0')
  })

  it('keeps the exact, unrounded amount', () => {
    expect(price(percentage('2.9', '0.3'), '12.34', 1)).toBe('0.65786')
  })
})
