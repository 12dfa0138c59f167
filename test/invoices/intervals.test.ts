// Periods cut along a plan's intervals: calendar weeks from Monday, months, quarters, years (UTC).
import { describe, expect, it } from 'vitest'
import { intervalsOf, MAX_INTERVALS } from '../../src/invoices/intervals.js'
import { parsePeriod } from '../../src/invoices/period.js'

const day = (iso: string) => new Date(`${iso}T00:00:00Z`)
const spans = (period: { from: Date; to: Date }, interval: 'weekly' | 'monthly' | 'quarterly' | 'yearly') =>
  intervalsOf(period, interval).map((i) => [
    i.from.toISOString().slice(0, 10),
    i.to.toISOString().slice(0, 10),
    i.proration ? `${i.proration.days}/${i.proration.of}` : 'whole',
  ])

describe('intervalsOf', () => {
  it('a month on a monthly plan is one whole interval', () => {
    expect(spans(parsePeriod('2026-10'), 'monthly')).toEqual([['2026-10-01', '2026-11-01', 'whole']])
  })

  it('a quarter on a monthly plan is three months; a year on a quarterly plan four quarters', () => {
    expect(spans(parsePeriod('2026-Q4'), 'monthly')).toEqual([
      ['2026-10-01', '2026-11-01', 'whole'],
      ['2026-11-01', '2026-12-01', 'whole'],
      ['2026-12-01', '2027-01-01', 'whole'],
    ])
    expect(spans(parsePeriod('2026'), 'quarterly').map((s) => s[0])).toEqual([
      '2026-01-01',
      '2026-04-01',
      '2026-07-01',
      '2026-10-01',
    ])
  })

  it('a month on a weekly plan: the weeks it touches, the first and last in part', () => {
    expect(spans(parsePeriod('2026-10'), 'weekly')).toEqual([
      ['2026-10-01', '2026-10-05', '4/7'], // Thursday to Monday
      ['2026-10-05', '2026-10-12', 'whole'],
      ['2026-10-12', '2026-10-19', 'whole'],
      ['2026-10-19', '2026-10-26', 'whole'],
      ['2026-10-26', '2026-11-01', '6/7'],
    ])
  })

  it('a week on a monthly plan, and a period across a month end, are parts of months', () => {
    expect(spans(parsePeriod('2026-W41'), 'monthly')).toEqual([['2026-10-05', '2026-10-12', '7/31']])
    expect(spans({ from: day('2026-02-20'), to: day('2026-03-10') }, 'monthly')).toEqual([
      ['2026-02-20', '2026-03-01', '9/28'],
      ['2026-03-01', '2026-03-10', '9/31'],
    ])
  })

  it('a month on a yearly plan is a part of the year (leap years have 366 days)', () => {
    expect(spans(parsePeriod('2028-02'), 'yearly')).toEqual([['2028-02-01', '2028-03-01', '29/366']])
  })

  it('refuses a period of more intervals than it bills', () => {
    expect(() => intervalsOf({ from: day('1970-01-01'), to: day('2100-01-01') }, 'weekly')).toThrow(
      new RegExp(`more than ${MAX_INTERVALS} weekly intervals`),
    )
  })

  it('reads years below 100 as they are written', () => {
    expect(parsePeriod('0050-01').from.toISOString()).toBe('0050-01-01T00:00:00.000Z')
    expect(parsePeriod('0050-Q1').to.toISOString()).toBe('0050-04-01T00:00:00.000Z')
    expect(parsePeriod('0099').from.getUTCFullYear()).toBe(99)
  })
})
