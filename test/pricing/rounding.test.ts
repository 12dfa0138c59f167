import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import type { RoundingFunction } from '../../src/plans/types.js'
import { roundUnits } from '../../src/pricing/rounding.js'

const round = (units: string, fn: RoundingFunction, precision: number) =>
  roundUnits(new Decimal(units), { function: fn, precision }).toFixed()

describe("a metric's rounding rounds the aggregated units before pricing", () => {
  // Lago's spec (apply_rounding_service_spec.rb) for 123.456; a missing precision is 0.
  it.each([
    ['round', 2, '123.46'],
    ['round', 0, '123'],
    ['round', -2, '100'],
    ['ceil', 2, '123.46'],
    ['ceil', 0, '124'],
    ['ceil', -2, '200'],
    ['floor', 2, '123.45'],
    ['floor', 0, '123'],
    ['floor', -2, '100'],
  ] as const)("matches Lago's spec table: %s to precision %i gives %s", (fn, precision, expected) => {
    expect(round('123.456', fn, precision)).toBe(expected)
  })

  it('rounds half up, away from zero', () => {
    expect(round('2.5', 'round', 0)).toBe('3')
    expect(round('-2.5', 'round', 0)).toBe('-3')
    expect(round('0.125', 'round', 2)).toBe('0.13')
    expect(round('150', 'round', -2)).toBe('200')
    expect(round('149.999', 'round', -2)).toBe('100')
  })

  it('takes ceil and floor as in mathematics, for negative units too', () => {
    expect(round('-1.5', 'ceil', 0)).toBe('-1')
    expect(round('-1.5', 'floor', 0)).toBe('-2')
    expect(round('-0.01', 'floor', -2)).toBe('-100')
  })

  it('keeps units that need no rounding, and zero as 0 rather than -0', () => {
    expect(round('7', 'ceil', 2)).toBe('7')
    expect(round('0', 'ceil', -12)).toBe('0')
    expect(roundUnits(new Decimal('-0.4'), { function: 'round', precision: 0 }).isNegative()).toBe(false)
  })

  it('rounds to the widest precisions exactly', () => {
    expect(round('0.0000000000015', 'round', 12)).toBe('0.000000000002')
    expect(round('1', 'ceil', -12)).toBe('1000000000000')
  })

  it('leaves the units as they are without a rounding', () => {
    expect(roundUnits(new Decimal('123.456'), undefined).toFixed()).toBe('123.456')
  })
})
