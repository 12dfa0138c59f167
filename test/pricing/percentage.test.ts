import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import type { ChargeModel } from '../../src/plans/types.js'
import { eventValuesNeeded, priceCharge } from '../../src/pricing/models/index.js'

type Percentage = Extract<ChargeModel, { model: 'percentage' }>
interface Terms {
  rate: string
  fixedFee?: string
  freeUnits?: string
  freeEvents?: number
  min?: string
  max?: string
}
const percentage = ({
  rate,
  fixedFee = '0',
  freeUnits = '0',
  freeEvents = 0,
  min,
  max,
}: Terms): Percentage => ({
  model: 'percentage',
  rate: new Decimal(rate),
  fixedFee: new Decimal(fixedFee),
  freeUnits: new Decimal(freeUnits),
  freeEvents,
  ...(min !== undefined && { perEventMin: new Decimal(min) }),
  ...(max !== undefined && { perEventMax: new Decimal(max) }),
})
/** The price of events with these values, the units being their sum (a sum metric). */
const priceEvents = (model: Percentage, values: string[]) =>
  priceCharge(model, {
    units: values.reduce((sum, v) => sum.plus(v), new Decimal(0)),
    events: values.length,
    eventValues: values.map((v) => new Decimal(v)),
  }).toFixed()

describe('percentage: rate % of the units plus a fixed fee per paying event', () => {
  it('takes 1.2 % of 1000 and 0.25 for each of 10 events', () => {
    expect(
      priceCharge(percentage({ rate: '1.2', fixedFee: '0.25' }), {
        units: new Decimal(1000),
        events: 10,
      }).toFixed(),
    ).toBe('14.5')
  })

  it('keeps the exact, unrounded amount', () => {
    expect(priceEvents(percentage({ rate: '2.9', fixedFee: '0.3' }), ['12.34'])).toBe('0.65786')
  })

  it('costs nothing without usage', () => {
    expect(priceEvents(percentage({ rate: '2', fixedFee: '0.1' }), [])).toBe('0')
  })
})

describe('free_events: the first N events are wholly free, their units and their fixed fee', () => {
  const firstThreeFree = percentage({ rate: '10', fixedFee: '1', freeEvents: 3 })

  it('frees the units and the fixed fee of the first 3 events only', () => {
    // (10 + 20) x 10 % + 2 fixed fees
    expect(priceEvents(firstThreeFree, ['100', '200', '300', '10', '20'])).toBe('5')
  })

  it('frees everything when there are no more events than free ones', () => {
    expect(priceEvents(firstThreeFree, ['100', '200', '300'])).toBe('0')
    expect(priceEvents(firstThreeFree, ['100'])).toBe('0')
  })

  it('frees free events with zero amounts too, so the next ones pay', () => {
    expect(priceEvents(firstThreeFree, ['0', '0', '0', '50'])).toBe('6')
  })

  it('frees all N events when a running total among them is below 0 (Lago frees one event per negative total)', () => {
    // free: the first 2 events (-5 + 10 = 5 units) and their fees; (25 - 5) x 10 % + 1 fee. Lago
    // counts the totals below an X of 0 as its free events (here 1: -5) and charges 2 fees: 4.
    expect(priceEvents(percentage({ rate: '10', fixedFee: '1', freeEvents: 2 }), ['-5', '10', '20'])).toBe(
      '3',
    )
  })

  it("matches Lago's spec: values 50, 100, 250, 400, N = 3, 1.3 % + 2 -> 7.2", () => {
    expect(
      priceEvents(percentage({ rate: '1.3', fixedFee: '2', freeEvents: 3 }), ['50', '100', '250', '400']),
    ).toBe('7.2')
  })
})

describe('free_units: the first X units are free, and events whose running total stays below X pay no fixed fee', () => {
  const tenFree = percentage({ rate: '10', fixedFee: '1', freeUnits: '10' })

  it('charges the fixed fee from the event that reaches X exactly', () => {
    // running totals 4, 10, 15: the second reaches 10 and pays; (15 - 10) x 10 % + 2 fees
    expect(priceEvents(tenFree, ['4', '6', '5'])).toBe('2.5')
  })

  it('charges the fixed fee from the event that crosses X', () => {
    // running totals 4, 12, 15: (15 - 10) x 10 % + 2 fees
    expect(priceEvents(tenFree, ['4', '8', '3'])).toBe('2.5')
  })

  it('charges nothing when the free units exceed the usage: no event reaches X', () => {
    expect(priceEvents(tenFree, ['2', '2', '2', '2'])).toBe('0')
    // ...but an event that brings the running total to exactly X pays its fixed fee
    expect(priceEvents(tenFree, ['2.5', '2.5', '2.5', '2.5'])).toBe('1')
  })

  it('keeps events with zero amounts below X free of the fixed fee', () => {
    // running totals 0, 0, 15: one fee
    expect(priceEvents(tenFree, ['0', '0', '15'])).toBe('1.5')
  })
})

describe('free_events and free_units: whichever limit is reached first', () => {
  it('stops at N events when they stay below X', () => {
    const both = percentage({ rate: '10', fixedFee: '1', freeEvents: 2, freeUnits: '1000' })
    // free: 10 + 20 units and 2 events
    expect(priceEvents(both, ['10', '20', '30', '40'])).toBe('9')
  })

  it('stops at X units when they come before N events', () => {
    const both = percentage({ rate: '10', fixedFee: '1', freeEvents: 3, freeUnits: '25' })
    // free units min(10 + 20 + 30, 25) = 25, free events min(3, 1) = 1: (100 - 25) x 10 % + 3 fees
    expect(priceEvents(both, ['10', '20', '30', '40'])).toBe('10.5')
  })

  it('frees no event when the first one alone reaches X (Lago would free N of them: it drops a count of 0)', () => {
    const both = percentage({ rate: '10', fixedFee: '1', freeEvents: 3, freeUnits: '10' })
    expect(priceEvents(both, ['50', '5', '5'])).toBe('8')
  })

  it("matches Lago's spec: values 50, 100, 250, 400, N = 3, X = 250, 1.3 % + 2 -> 11.15", () => {
    const lago = percentage({ rate: '1.3', fixedFee: '2', freeEvents: 3, freeUnits: '250' })
    expect(priceEvents(lago, ['50', '100', '250', '400'])).toBe('11.15')
  })
})

describe('no fixed fee when the units are zero', () => {
  it('charges no fixed fee for events that add up to zero units', () => {
    expect(priceEvents(percentage({ rate: '2', fixedFee: '0.1' }), ['0', '0', '0'])).toBe('0')
    expect(
      priceCharge(percentage({ rate: '2', fixedFee: '0.1' }), { units: new Decimal(0), events: 4 }).toFixed(),
    ).toBe('0')
  })

  it('still charges the minimum of each paying event, as Lago does for events of zero value', () => {
    expect(priceEvents(percentage({ rate: '2', fixedFee: '0.1', min: '0.5' }), ['0', '0'])).toBe('1')
  })
})

// Lago's spec (percentage_service_spec.rb l.251-331): events 10, 80, 10000 at 2.99 %, min 1.75, max 12.
describe('per-event bounds: each paying event is raised to the minimum, else lowered to the maximum', () => {
  const values = ['10', '80', '10000']
  const bounded = (terms: Omit<Terms, 'rate' | 'min' | 'max'>) =>
    percentage({ rate: '2.99', min: '1.75', max: '12', ...terms })

  it.each([
    ['no free units', {}, '16.142'],
    ['a fixed fee of 2', { fixedFee: '2' }, '18.691'],
    ['N = 2', { freeEvents: 2 }, '12'],
    ['X = 30', { freeUnits: '30' }, '13.794'],
    ['N = 3 and X = 10000', { freeEvents: 3, freeUnits: '10000' }, '2.691'],
  ])("matches Lago's spec with %s", (_, terms, expected) => {
    expect(priceEvents(bounded(terms), values)).toBe(expected)
  })

  it('raises only with a minimum, lowers only with a maximum', () => {
    expect(priceEvents(percentage({ rate: '2.99', min: '1.75' }), values)).toBe(String(1.75 + 2.392 + 299))
    expect(priceEvents(percentage({ rate: '2.99', max: '12' }), values)).toBe('14.691')
  })

  it('checks the minimum first when the minimum exceeds the maximum', () => {
    // 30 x 10 % = 3 is below the minimum 5 and above the maximum 1: raised, not lowered
    expect(priceEvents(percentage({ rate: '10', min: '5', max: '1' }), ['30'])).toBe('5')
  })

  it('bounds the fixed fee and the rate together', () => {
    expect(priceEvents(percentage({ rate: '10', fixedFee: '3', max: '4' }), ['5', '20'])).toBe('7.5')
  })
})

describe('per-event bounds: wholly free events pay 0, not the minimum', () => {
  it('does not raise free events to the minimum', () => {
    const model = percentage({ rate: '10', freeEvents: 2, min: '1' })
    expect(priceEvents(model, ['5', '5', '5'])).toBe('1')
  })

  it('raises the event that reaches X exactly, though its billable units are 0', () => {
    const model = percentage({ rate: '10', fixedFee: '0.5', freeUnits: '10', min: '1' })
    expect(priceEvents(model, ['4', '6'])).toBe('1')
  })
})

describe('per-event bounds: free events and free units, whichever first, as without bounds', () => {
  it('does not let free units outlast N events, unlike Lago, whose loop goes on while either remains', () => {
    // Lago's per-transaction loop would free 10 + 20 and 70 of the 200: 13.
    const model = percentage({ rate: '10', freeEvents: 1, freeUnits: '100', max: '1000' })
    expect(priceEvents(model, ['10', '20', '200'])).toBe('22')
  })

  it('equals the amount without bounds when they never apply', () => {
    const hundredths = fc.integer({ min: 0, max: 50_000 }).map((n) => (n / 100).toFixed(2))
    const terms = fc.record({
      rate: fc.integer({ min: 0, max: 1000 }).map((n) => (n / 100).toFixed(2)),
      fixedFee: fc.integer({ min: 0, max: 500 }).map((n) => (n / 100).toFixed(2)),
      freeUnits: fc.oneof(fc.constant('0'), hundredths),
      freeEvents: fc.integer({ min: 0, max: 6 }),
    })
    fc.assert(
      fc.property(terms, fc.array(hundredths, { maxLength: 12 }), (t, values) => {
        const unbounded = priceEvents(percentage(t), values)
        expect(priceEvents(percentage({ ...t, min: '0', max: '1000000000' }), values)).toBe(unbounded)
      }),
    )
  })
})

describe('eventValuesNeeded: what a percentage charge needs of the event values', () => {
  it.each([
    ['no free events, free units or bounds', {}, 'none'],
    ['free events only', { freeEvents: 3 }, { first: 3 }],
    ['free events and free units', { freeEvents: 3, freeUnits: '100' }, { first: 3 }],
    ['free units only', { freeUnits: '100' }, 'all'],
    ['a minimum', { min: '1' }, 'all'],
    ['a maximum and free events', { max: '1', freeEvents: 3 }, 'all'],
  ])('%s -> %j', (_, terms, expected) => {
    expect(eventValuesNeeded(percentage({ rate: '1', ...terms }), 'sum')).toEqual(expected)
  })

  it('needs none for the other models', () => {
    expect(eventValuesNeeded({ model: 'standard', unitPrice: new Decimal(1) }, 'sum')).toBe('none')
  })

  it('reads values of sum, and of max with bounds only; count and unique_count count 1 per event', () => {
    const all = percentage({ rate: '1', freeUnits: '10', freeEvents: 2, min: '1' })
    expect(eventValuesNeeded(all, 'max')).toBe('all')
    expect(eventValuesNeeded(percentage({ rate: '1', freeUnits: '10' }), 'max')).toBe('none')
    for (const aggregation of ['count', 'unique_count', 'latest', 'weighted_sum'] as const) {
      expect(eventValuesNeeded(all, aggregation)).toBe('none')
    }
  })

  it('refuses to price without the values it needs, rather than guess', () => {
    const usage = { units: new Decimal(30), events: 3 }
    expect(() => priceCharge(percentage({ rate: '1', freeUnits: '10' }), usage)).toThrow(
      /expected all 3 of them in Usage.eventValues, got 0/,
    )
    const two = { ...usage, eventValues: [new Decimal(10), new Decimal(10)] }
    expect(() => priceCharge(percentage({ rate: '1', freeEvents: 3 }), two)).toThrow(/expected the first 3/)
    expect(priceCharge(percentage({ rate: '1', freeEvents: 2 }), two).toFixed()).toBe('0.1')
  })

  it('needs no values without events', () => {
    const none = { units: new Decimal(0), events: 0 }
    expect(priceCharge(percentage({ rate: '1', freeUnits: '10', min: '1' }), none).toFixed()).toBe('0')
  })
})

// Lago gives its percentage model a running total for count, sum and unique_count only
// (BillableMetrics::Aggregations::*Service#running_total); the cases below are Lago's results.
describe("free units and free events follow the aggregation's running total, as in Lago", () => {
  const ten = (terms: Omit<Terms, 'rate'>) => percentage({ rate: '10', ...terms })
  const counted = (units: number, terms: Omit<Terms, 'rate'>) =>
    priceCharge(ten(terms), { units: new Decimal(units), events: units, runningTotal: 'counted' }).toFixed()
  const level = (units: string, events: number, terms: Omit<Terms, 'rate'>) =>
    priceCharge(ten(terms), { units: new Decimal(units), events, runningTotal: 'none' }).toFixed()

  it('a max, latest or weighted_sum frees no unit: 10 % of all 200 units, free units or not', () => {
    expect(level('200', 3, { freeUnits: '100' })).toBe('20')
    expect(level('200', 3, { freeUnits: '100', freeEvents: 2 })).toBe('20')
  })

  it('a max, latest or weighted_sum: free events spare the fixed fee of N events, free units none', () => {
    // 20 + 1 of 3 events paying the fixed fee of 1.
    expect(level('200', 3, { fixedFee: '1', freeEvents: 2 })).toBe('21')
    expect(level('200', 3, { fixedFee: '1', freeUnits: '100' })).toBe('23')
    expect(level('200', 1, { fixedFee: '1', freeEvents: 2 })).toBe('20')
  })

  it('a count with more than N units frees N units whatever X is (N = 5, X = 3 of 10 events)', () => {
    // Lago: running total 1..10, its 5th total is 5: 10 % of 5 + the fixed fee of 10 - min(5, 2) events.
    expect(counted(10, { fixedFee: '0.1', freeEvents: 5, freeUnits: '3' })).toBe('1.3')
  })

  it('a count with no more than N units frees at most X of them (N = 5, X = 3 of 4 events)', () => {
    expect(counted(4, { freeEvents: 5, freeUnits: '3' })).toBe('0.1')
  })

  it('a count with N or X alone frees as a sum of 1 per event would', () => {
    expect(counted(10, { freeEvents: 4, fixedFee: '1' })).toBe(
      priceEvents(ten({ freeEvents: 4, fixedFee: '1' }), Array(10).fill('1')),
    )
    expect(counted(10, { freeUnits: '4', fixedFee: '1' })).toBe(
      priceEvents(ten({ freeUnits: '4', fixedFee: '1' }), Array(10).fill('1')),
    )
  })
})

describe('free units with negative values: every running total below X spares its fixed fee, as in Lago', () => {
  it('frees the events whose running total falls back below X, not only the leading ones', () => {
    // X = 10: totals 10, 5, 8 are all read (none is past 10); 5 and 8 are below it: 2 fixed fees spared.
    expect(priceEvents(percentage({ rate: '10', fixedFee: '1', freeUnits: '10' }), ['10', '-5', '3'])).toBe(
      '1',
    )
  })

  it('stops reading at the first total past X: a later dip below X pays its fixed fee', () => {
    // Totals 20 (past 10: the last one read); -15 and 3 pay: 3 fixed fees, 10 % of (8 - 10) -> 0.
    expect(priceEvents(percentage({ rate: '10', fixedFee: '1', freeUnits: '10' }), ['20', '-15', '3'])).toBe(
      '3',
    )
  })
})
