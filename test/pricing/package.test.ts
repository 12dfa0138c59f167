import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import { priceCharge } from '../../src/pricing/models/index.js'

const pack = (packageSize: string, packagePrice: string, freeUnits = '0') => ({
  model: 'package' as const,
  packageSize: new Decimal(packageSize),
  packagePrice: new Decimal(packagePrice),
  freeUnits: new Decimal(freeUnits),
})
const price = (model: ReturnType<typeof pack>, units: string | Decimal) =>
  priceCharge(model, { units: new Decimal(units), events: 0 })

describe('package: whole packages, rounded up', () => {
  it.each([
    ['0', '0'],
    ['1', '5'],
    ['100', '5'],
    ['100.0001', '10'],
    ['101', '10'],
    ['200', '10'],
    ['201', '15'],
  ])('%s units in packages of 100 at 5 -> %s', (units, expected) => {
    expect(price(pack('100', '5'), units).toFixed()).toBe(expected)
  })

  it('bills only the units beyond the free ones', () => {
    expect(price(pack('100', '5', '50'), '150').toFixed()).toBe('5')
    expect(price(pack('100', '5', '50'), '151').toFixed()).toBe('10')
    // Lago's documented example: free 100, packages of 100 at 5, 201 units -> 2 packages.
    expect(price(pack('100', '5', '100'), '201').toFixed()).toBe('10')
  })

  it('costs nothing when the free units exceed the usage', () => {
    expect(price(pack('100', '5', '500'), '30').toFixed()).toBe('0')
    expect(price(pack('100', '5', '30'), '30').toFixed()).toBe('0')
  })

  it('supports fractional package sizes', () => {
    expect(price(pack('0.5', '1.25'), '1.2').toFixed()).toBe('3.75')
  })

  it('sells the fewest whole packages that cover the billable units', () => {
    const thousandths = fc.integer({ min: 1, max: 10_000_000 }).map((n) => new Decimal(n).div(1000))
    fc.assert(
      fc.property(thousandths, thousandths, (units, size) => {
        const packages = price(pack(size.toFixed(), '1'), units)
        expect(packages.isInteger()).toBe(true)
        expect(packages.times(size).gte(units)).toBe(true)
        expect(packages.minus(1).times(size).lt(units)).toBe(true)
      }),
    )
  })
})
