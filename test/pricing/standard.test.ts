import { Decimal as DefaultDecimal } from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import { priceCharge } from '../../src/pricing/models/index.js'

const model = (unitPrice: string) => ({ model: 'standard' as const, unitPrice: new Decimal(unitPrice) })
const usage = (units: string, events = 0) => ({ units: new Decimal(units), events })

describe('standard: every unit at the unit price', () => {
  it('prices 30 units at 0.1 to exactly 3', () => {
    expect(priceCharge(model('0.1'), usage('30')).toFixed()).toBe('3')
  })

  it('costs nothing without usage', () => {
    expect(priceCharge(model('0.25'), usage('0')).toFixed()).toBe('0')
  })

  it('prices fractional units exactly, unrounded', () => {
    expect(priceCharge(model('0.0003'), usage('12.5')).toFixed()).toBe('0.00375')
  })

  it('keeps every digit even when the units come from a default-configured decimal.js', () => {
    const units = new DefaultDecimal('12345678901234567890.5')
    expect(priceCharge(model('0.3'), { units, events: 0 }).toFixed()).toBe('3703703670370370367.15')
  })
})
