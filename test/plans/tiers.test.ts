import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import { tierBoundProblems, type TierBound } from '../../src/plans/tiers.js'

const bounds = (...values: (number | 'open' | 'unknown')[]): TierBound[] =>
  values.map((value) => (typeof value === 'number' ? new Decimal(value) : value))

describe('tier bounds', () => {
  it('accepts ascending bounds ending with an open tier', () => {
    expect(tierBoundProblems(bounds(10, 100, 'open'))).toEqual([])
    expect(tierBoundProblems(bounds('open'))).toEqual([])
  })

  it('wants only the last tier open', () => {
    expect(tierBoundProblems(bounds(10, 'open', 'open'))).toEqual([
      {
        index: 1,
        message: 'missing: expected up_to, as only the last tier may be open (this is tier 2 of 3)',
      },
    ])
  })

  it('wants the last tier open', () => {
    expect(tierBoundProblems(bounds(10, 20))).toEqual([
      {
        index: 1,
        message:
          'expected no up_to: the last tier must be open so that every unit has a price (add a tier without up_to)',
      },
    ])
  })

  it('wants bounds strictly ascending, above 0, compared with the highest bound so far', () => {
    expect(tierBoundProblems(bounds(0, 50, 40, 45, 60, 'open')).map((p) => [p.index, p.message])).toEqual([
      [0, 'expected up_to greater than 0, got 0'],
      [2, 'expected up_to greater than 50 (the up_to of tiers[1]), got 40'],
      [3, 'expected up_to greater than 50 (the up_to of tiers[1]), got 45'],
    ])
  })

  it('skips bounds it could not read, checking the others', () => {
    expect(tierBoundProblems(bounds(10, 'unknown', 5, 'open')).map((p) => p.index)).toEqual([2])
    expect(tierBoundProblems(bounds(10, 'unknown'))).toEqual([])
  })

  it('compares decimals exactly', () => {
    const problems = tierBoundProblems([new Decimal('0.1'), new Decimal('0.10'), 'open'])
    expect(problems.map((p) => p.index)).toEqual([1])
  })
})
