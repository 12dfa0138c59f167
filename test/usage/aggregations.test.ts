// Each aggregation of a billable metric, measured by the real embedded engine from ingested events.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invoiceCustomer } from '../../src/invoices/invoice.js'
import type { Period } from '../../src/invoices/types.js'
import { Decimal } from '../../src/money/decimal.js'
import type { AggregationName, Charge, Plan } from '../../src/plans/types.js'
import type { Store } from '../../src/store/store.js'
import { ingestEvents, removeTempDirs, tempDir, type EventInput, withStore } from '../support/events.js'
import { usageShape } from '../../src/invoices/usage-shape.js'
import { addsValue, isLaterPlace, readUsage } from '../../src/store/usage.js'
import { countedUniques, usageQuery } from '../../src/store/usage-sql.js'
import { foldFor, measure, planOf } from '../support/usage.js'

let dataDir: string
let eventsDir: string
beforeAll(() => {
  dataDir = tempDir('usage-agg-data')
  eventsDir = tempDir('usage-agg-events')
})
afterAll(removeTempDirs)

// October 2026 has 31 days, November 2026 has 30.
const OCTOBER: Period = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }
const NOVEMBER: Period = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') }

/** A charge of one unit price 1 on a metric reading `code` events. */
function charge(aggregation: AggregationName, property?: string, code = 'ev'): Charge {
  return {
    model: 'standard',
    unitPrice: new Decimal(1),
    metric: { name: `${aggregation}_${property ?? 'n'}`, code, aggregation, ...(property && { property }) },
    filters: {},
    groupBy: [],
  }
}

/** The charge with its metric recurring (Lago's `recurring: true`): its total carries over. */
function recurring(c: Charge): Charge {
  return { ...c, metric: { ...c.metric, recurring: true } }
}

let seq = 0
/** An event of customer `c1` with code `ev` unless told otherwise. */
function ev(
  timestamp: string,
  properties: EventInput['properties'] = {},
  more: Partial<EventInput> = {},
): EventInput {
  return { transaction_id: `t${++seq}`, customer: 'c1', code: 'ev', timestamp, properties, ...more }
}

/** What the engine measured for customer c1, exact decimals as text. */
async function measured(store: Store, charges: Charge[], period: Period = OCTOBER) {
  const usage = await measure(store, charges, period, 'c1')
  return usage
    .sort((a, b) => a.charge - b.charge)
    .map((u) => ({ measure: u.charge, units: u.units.toFixed(), events: u.events, invalid: u.invalid }))
}

describe('count', () => {
  it('counts the events of its code for the customer, in the period', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ...Array.from({ length: 5 }, (_, i) => ev(`2026-10-0${i + 1}T12:00:00Z`)),
        ev('2026-10-02T00:00:00Z', {}, { code: 'other' }),
        ev('2026-10-02T00:00:00Z', {}, { customer: 'c2' }),
        ev('2026-09-15T00:00:00Z'),
      ])
      expect(await measured(store, [charge('count')])).toEqual([
        { measure: 0, units: '5', events: 5, invalid: 0 },
      ])
    }))
})

describe('sum', () => {
  it('adds 30 events of 0.1 to exactly 3', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(
        store,
        eventsDir,
        Array.from({ length: 30 }, (_, i) => ev(`2026-10-${10 + (i % 20)}T00:00:00Z`, { v: 0.1 })),
      )
      expect(await measured(store, [charge('sum', 'v')])).toEqual([
        { measure: 0, units: '3', events: 30, invalid: 0 },
      ])
      const { invoice } = await invoiceCustomer(store, catalogOf([charge('sum', 'v')]), {
        customer: 'c1',
        period: OCTOBER,
      })
      expect(invoice.intervals[0]!.lines[0]!.units!.toFixed()).toBe('3')
      expect(invoice.total.toFixed()).toBe('3')
    }))

  it('reads numbers as written (1e3, 0.10, negatives, numeric strings); a non-number is invalid and adds nothing', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        // Raw lines, so that the JSON number text reaches the engine exactly as a client would send it.
        `{"transaction_id":"r1","customer":"c1","code":"ev","timestamp":"2026-10-03T00:00:00Z","properties":{"v":1e3}}`,
        `{"transaction_id":"r2","customer":"c1","code":"ev","timestamp":"2026-10-03T00:00:00Z","properties":{"v":0.10}}`,
        `{"transaction_id":"r3","customer":"c1","code":"ev","timestamp":"2026-10-03T00:00:00Z","properties":{"v":-2.5}}`,
        ev('2026-10-04T00:00:00Z', { v: '7' }),
        ev('2026-10-04T00:00:00Z', { v: 'abc' }),
        ev('2026-10-04T00:00:00Z', { v: true }),
        ev('2026-10-04T00:00:00Z', { other: 5 }),
      ])
      // 1000 + 0.10 - 2.5 + 7 from four events; "abc" and true are not numbers; the event without
      // `v` is neither counted nor invalid (Lago counts the events with a numeric value).
      expect(await measured(store, [charge('sum', 'v')])).toEqual([
        { measure: 0, units: '1004.6', events: 4, invalid: 2 },
      ])
    }))
})

describe('unique_count', () => {
  it('counts distinct values; events lacking the property are not counted', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-10-01T00:00:00Z', { user: 'a' }),
        ev('2026-10-02T00:00:00Z', { user: 'b' }),
        ev('2026-10-03T00:00:00Z', { user: 'a' }),
        ev('2026-10-04T00:00:00Z', { user: 'c' }),
        ev('2026-10-05T00:00:00Z', { someone: 'd' }),
        ev('2026-10-06T00:00:00Z'),
        ev('2026-09-30T00:00:00Z', { user: 'e' }),
      ])
      expect(await measured(store, [charge('unique_count', 'user')])).toEqual([
        { measure: 0, units: '3', events: 4, invalid: 0 },
      ])
    }))
})

describe('unique_count with operation_type, as Lago counts seats', () => {
  const add = (day: number, user: string, more: EventInput['properties'] = {}) =>
    ev(`2026-10-${String(day).padStart(2, '0')}T00:00:00Z`, { user, ...more })
  const remove = (day: number, user: string, more: EventInput['properties'] = {}) =>
    add(day, user, { operation_type: 'remove', ...more })

  it('counts a value whose latest event adds it: removed, it stops counting; added again, it counts', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        add(1, 'a'),
        remove(2, 'a'), // a: removed
        add(3, 'b'),
        remove(5, 'b'),
        add(6, 'b'), // b: added again
        remove(4, 'c'), // c: only ever removed
        add(7, 'd', { operation_type: 'add' }),
        add(8, 'e', { operation_type: 'suspend' }), // neither add nor remove: it adds, as Lago keeps only those two
      ])
      expect(await measured(store, [charge('unique_count', 'user')])).toEqual([
        { measure: 0, units: '3', events: 8, invalid: 0 },
      ])
    }))

  it('orders by time, not by ingestion: a remove stored first but later in time wins over the add', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [remove(9, 'a'), add(20, 'b')])
      await ingestEvents(store, eventsDir, [add(2, 'a'), remove(3, 'b')])
      expect(await measured(store, [charge('unique_count', 'user')])).toEqual([
        { measure: 0, units: '1', events: 4, invalid: 0 },
      ])
    }))

  it('orders events whose places have different lengths (August 1978: 31 digits, then 32), across groups', () =>
    withStore(dataDir, async (store) => {
      // Each region is a row of its own: the invoice, not the engine, finds each value's latest event.
      await ingestEvents(store, eventsDir, [
        ev('1978-08-03T00:00:00Z', { user: 'a', region: 'eu' }),
        ev('1978-08-05T00:00:00Z', { user: 'a', region: 'us', operation_type: 'remove' }), // a: removed
        ev('1978-08-05T00:00:00Z', { user: 'b', region: 'us' }),
      ])
      const august: Period = { from: new Date('1978-08-01T00:00:00Z'), to: new Date('1978-09-01T00:00:00Z') }
      const filtered: Charge = { ...charge('unique_count', 'user'), filters: { region: ['eu', 'us'] } }
      expect(await measured(store, [filtered], august)).toEqual([
        { measure: 0, units: '1', events: 3, invalid: 0 },
      ])
    }))

  it('reads places as the numbers they are: later and adding, as BigInts would say', () => {
    // A place as latestEventSql builds it and the engine writes it: ms << 65 | version << 1 | adds.
    const place = fc
      .tuple(
        fc.integer({ min: 0, max: 2 ** 43 - 1 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.boolean(),
      )
      .map(([ms, version, adds]) => (BigInt(ms) << 65n) | (version << 1n) | (adds ? 1n : 0n))
    fc.assert(
      fc.property(place, place, (a, b) => {
        expect(isLaterPlace(a.toString(), b.toString())).toBe(a > b)
        expect(addsValue(a.toString())).toBe((a & 1n) === 1n)
      }),
    )
  })

  it('counts numbers and text alike, where the engine counts the values and where it lists them', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        add(1, 'a'),
        ev('2026-10-02T00:00:00Z', { user: 7, n: 1 }),
        add(3, '7'), // the same value as the number 7
        ev('2026-10-04T00:00:00Z', { user: 1 }),
        add(5, '1.0'), // not the value 1: values are their text
        ev('2026-10-06T00:00:00Z', { user: 8 }),
        ev('2026-10-07T00:00:00Z', { user: 8, operation_type: 'remove' }), // 8: removed
        add(8, 'x'),
        remove(9, 'x'),
        ev('2026-10-10T00:00:00Z', { n: 2 }), // no user: not counted
      ])
      const seats = charge('unique_count', 'user')
      // Alone on its code, the engine counts the values; beside a sum of another property, it lists them.
      expect(countedUniques(usageShape([planOf([seats])]))).toEqual([true])
      expect(countedUniques(usageShape([planOf([seats, charge('sum', 'n')])]))).toEqual([false, false])
      expect(await measured(store, [seats])).toEqual([{ measure: 0, units: '4', events: 9, invalid: 0 }])
      expect(await measured(store, [seats, charge('sum', 'n')])).toEqual([
        { measure: 0, units: '4', events: 9, invalid: 0 },
        { measure: 1, units: '3', events: 2, invalid: 0 },
      ])
    }))

  it("reads the charge's own events: across filter values, per group, and only within the period", () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-09-20T00:00:00Z', { user: 'a', region: 'eu' }), // added in September…
        remove(2, 'a', { region: 'eu' }), // …removed in October: October does not count it
        add(3, 'b', { region: 'eu' }),
        remove(4, 'b', { region: 'us' }), // removed in another region
        add(5, 'c', { region: 'us' }),
        remove(6, 'c', { region: 'ap' }), // removed where the filter does not look
        add(7, 'd', { region: 'us' }),
        remove(8, 'd', { region: 'eu' }), // as b, the other way round: whichever region is read first
      ])
      const filtered: Charge = { ...charge('unique_count', 'user'), filters: { region: ['eu', 'us'] } }
      const grouped: Charge = { ...charge('unique_count', 'user'), groupBy: ['region'] }
      expect(await measured(store, [filtered])).toEqual([{ measure: 0, units: '1', events: 6, invalid: 0 }])
      const groups = (await measure(store, [grouped], OCTOBER, 'c1')).map(
        (u) => `${u.group.region}: ${u.units.toFixed()}`,
      )
      expect(groups.sort()).toEqual(['ap: 0', 'eu: 1', 'us: 2'])
    }))
})

describe('max', () => {
  it('is the largest value in the period', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-10-01T00:00:00Z', { c: 3 }),
        ev('2026-10-02T00:00:00Z', { c: 17.5 }),
        ev('2026-10-03T00:00:00Z', { c: -4 }),
        ev('2026-10-04T00:00:00Z', { c: 9 }),
        ev('2026-11-01T00:00:00Z', { c: 100 }),
      ])
      expect(await measured(store, [charge('max', 'c')])).toEqual([
        { measure: 0, units: '17.5', events: 4, invalid: 0 },
      ])
    }))

  it('is 0 when there are no events', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [ev('2026-10-04T00:00:00Z', { c: 9 }, { code: 'other' })])
      expect(await measured(store, [charge('max', 'c')])).toEqual([])
      const { invoice } = await invoiceCustomer(store, catalogOf([charge('max', 'c')]), {
        customer: 'c1',
        period: OCTOBER,
      })
      expect(
        invoice.intervals[0]!.lines.map((l) => [l.type, l.units?.toFixed(), l.amount.toFixed()]),
      ).toEqual([['usage', '0', '0']])
    }))
})

describe('latest', () => {
  it('is the value of the event with the latest timestamp, and a later copy of a transaction replaces it', () =>
    withStore(dataDir, async (store) => {
      const late = ev('2026-10-20T00:00:00Z', { g: 30 })
      await ingestEvents(store, eventsDir, [
        ev('2026-10-05T00:00:00Z', { g: 10 }),
        late,
        ev('2026-10-10T00:00:00Z', { g: 50 }), // sent last, but earlier in time
        ev('2026-11-02T00:00:00Z', { g: 99 }), // after the period
      ])
      expect(await measured(store, [charge('latest', 'g')])).toEqual([
        { measure: 0, units: '30', events: 3, invalid: 0 },
      ])

      // A second run re-sends the latest event with another value: the new copy wins.
      await ingestEvents(store, eventsDir, [{ ...late, properties: { g: 40 } }])
      expect(await measured(store, [charge('latest', 'g')])).toEqual([
        { measure: 0, units: '40', events: 3, invalid: 0 },
      ])

      // Within one file the later line wins, and moving it earlier in time leaves 50 the latest.
      await ingestEvents(store, eventsDir, [
        { ...late, properties: { g: 60 } },
        { ...late, timestamp: '2026-10-01T00:00:00Z', properties: { g: 70 } },
      ])
      expect(await measured(store, [charge('latest', 'g')])).toEqual([
        { measure: 0, units: '50', events: 3, invalid: 0 },
      ])
    }))
})

describe('latest, when negative', () => {
  it("a negative latest value counts as 0 units (Lago's latest aggregation)", () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-10-05T00:00:00Z', { g: 10 }),
        ev('2026-10-06T00:00:00Z', { g: -3 }),
      ])
      expect(await measured(store, [charge('latest', 'g')])).toEqual([
        { measure: 0, units: '0', events: 2, invalid: 0 },
      ])
    }))
})

describe('weighted_sum, recurring', () => {
  // November 2026: 30 days. Units = sum(running total x time held) / length of the period.
  it('+100 at the start and +50 at the exact middle of a 30-day period gives 125', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-11-01T00:00:00Z', { gb: 100 }),
        ev('2026-11-16T00:00:00Z', { gb: 50 }),
      ])
      expect(await measured(store, [charge('weighted_sum', 'gb')], NOVEMBER)).toEqual([
        { measure: 0, units: '125', events: 2, invalid: 0 },
      ])
    }))

  it('carries earlier increments in full, takes negative increments, and excludes one at exactly `to`', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-09-10T08:00:00Z', { gb: 150 }), // before the period: held all of it
        ev('2026-10-31T23:59:59.999Z', { gb: 50 }), // before the period too
        ev('2026-11-01T00:00:00Z', { gb: 100 }), // at `from`: all of the period
        ev('2026-11-23T12:00:00Z', { gb: -150 }), // at 3/4 of the period: a quarter of it
        ev('2026-11-11T00:00:00Z', { gb: 30 }), // at 1/3 of the period: two thirds of it
        ev('2026-12-01T00:00:00Z', { gb: 1000 }), // at `to`: the next period's
        ev('2026-11-20T00:00:00Z', { gb: 1000 }, { code: 'other' }),
        ev('2026-11-20T00:00:00Z', { gb: 1000 }, { customer: 'c2' }),
      ])
      // 150 + 50 + 100 - 150 x 1/4 + 30 x 2/3 = 300 - 37.5 + 20
      expect(await measured(store, [recurring(charge('weighted_sum', 'gb', 'ev'))], NOVEMBER)).toEqual([
        { measure: 0, units: '282.5', events: 3, invalid: 0 },
      ])
    }))

  it('is the carried total alone when nothing happens in the period', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-10-15T00:00:00Z', { gb: 80 }),
        ev('2026-10-20T00:00:00Z', { gb: -30 }),
      ])
      expect(await measured(store, [recurring(charge('weighted_sum', 'gb'))], NOVEMBER)).toEqual([
        { measure: 0, units: '50', events: 0, invalid: 0 },
      ])
    }))

  it('carries the increments of its own property when other properties are measured beside it', () =>
    withStore(dataDir, async (store) => {
      // `a_level` sorts before `gb` and its `latest` takes three columns, `b_calls` one for its sum:
      // the carried total must come from gb's own sum, wherever it lies among the columns.
      await ingestEvents(store, eventsDir, [
        ev('2026-10-15T00:00:00Z', { gb: 80, a_level: 7, b_calls: 1000 }),
        ev('2026-10-20T00:00:00Z', { gb: -30, a_level: 9, b_calls: 2000 }),
        ev('2026-11-16T00:00:00Z', { gb: 10, a_level: 3, b_calls: 5 }),
      ])
      const charges = [
        charge('latest', 'a_level'),
        charge('sum', 'b_calls'),
        recurring(charge('weighted_sum', 'gb')),
      ]
      expect(await measured(store, charges, NOVEMBER)).toEqual([
        { measure: 0, units: '3', events: 1, invalid: 0 },
        { measure: 1, units: '5', events: 1, invalid: 0 },
        { measure: 2, units: '55', events: 1, invalid: 0 }, // 50 all month, +10 for its second half
      ])
    }))

  it('carries only the newest copy of an earlier increment', () =>
    withStore(dataDir, async (store) => {
      const [kept, recoded, moved] = [
        ev('2026-10-15T00:00:00Z', { gb: 80 }),
        ev('2026-10-16T00:00:00Z', { gb: 5 }),
        ev('2026-10-17T00:00:00Z', { gb: 7 }),
      ]
      await ingestEvents(store, eventsDir, [kept, recoded, moved])
      // Re-sent under another code, and moved after the period: neither counts any more.
      await ingestEvents(store, eventsDir, [
        { ...recoded, code: 'other' },
        { ...moved, timestamp: '2026-12-02T00:00:00Z' },
      ])
      expect(await measured(store, [recurring(charge('weighted_sum', 'gb'))], NOVEMBER)).toEqual([
        { measure: 0, units: '80', events: 0, invalid: 0 },
      ])
    }))
})

describe('weighted_sum, recurring, over several intervals and part of one', () => {
  it('each month of a quarter carries the level the months before it left', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-09-01T00:00:00Z', { gb: 10 }), // before the period
        ev('2026-10-01T00:00:00Z', { gb: 20 }), // October: 30 all month
        ev('2026-11-16T00:00:00Z', { gb: 30 }), // November: 30 for 15 days, 60 for 15
      ])
      const plan = planOf([recurring(charge('weighted_sum', 'gb'))])
      const quarter = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') }
      const folded = await foldFor(store, plan, quarter, 'c1')
      expect(folded.intervals.map((i) => i.map((u) => u.units.toFixed()))).toEqual([['30'], ['45'], ['60']])
    }))

  it('part of a month is weighted over the whole month, as Lago divides by the full period', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [ev('2026-09-01T00:00:00Z', { gb: 31 })])
      const plan = planOf([recurring(charge('weighted_sum', 'gb'))])
      const tenDays = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-10-11T00:00:00Z') }
      const folded = await foldFor(store, plan, tenDays, 'c1')
      expect(folded.intervals[0]!.map((u) => u.units.toFixed())).toEqual(['10']) // 31 x 10/31
    }))
})

describe("weighted_sum, metered (Lago's default: no recurring)", () => {
  it('starts the period at 0: increments before it do not carry in', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-09-10T08:00:00Z', { gb: 150 }), // before the period: not carried
        ev('2026-11-01T00:00:00Z', { gb: 100 }), // at `from`: all of the period
        ev('2026-11-11T00:00:00Z', { gb: 30 }), // at 1/3 of the period: two thirds of it
        ev('2026-11-23T12:00:00Z', { gb: -150 }), // at 3/4 of the period: a quarter of it
      ])
      // 100 + 30 x 2/3 - 150 x 1/4 (the total falls below 0 for the last quarter)
      expect(await measured(store, [charge('weighted_sum', 'gb')], NOVEMBER)).toEqual([
        { measure: 0, units: '82.5', events: 3, invalid: 0 },
      ])
    }))

  it('starts each month of a quarter at 0, beside a recurring metric of the same events that carries', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-09-01T00:00:00Z', { gb: 10 }), // before the period
        ev('2026-10-01T00:00:00Z', { gb: 20 }), // October: 20 all month (30 carried)
        ev('2026-11-16T00:00:00Z', { gb: 30 }), // November: 30 for half of it (30, then 60, carried)
      ])
      const plan = planOf([charge('weighted_sum', 'gb'), recurring(charge('weighted_sum', 'gb'))])
      const quarter = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') }
      const folded = await foldFor(store, plan, quarter, 'c1')
      const units = folded.intervals.map((i) =>
        [...i].sort((a, b) => a.charge - b.charge).map((u) => `${u.charge}:${u.units.toFixed()}`),
      )
      // December: the metered metric had no events and starts at 0, so it measured nothing.
      expect(units).toEqual([['0:20', '1:30'], ['0:15', '1:45'], ['1:60']])
    }))

  it('does not read the increments before the period at all', () => {
    const shape = usageShape([planOf([charge('weighted_sum', 'gb')])])
    const page = { customers: ['c1'], starts: [NOVEMBER.from.getTime()], ends: [NOVEMBER.to.getTime()] }
    expect(shape.carriedCodes).toEqual([])
    expect(usageQuery('billing', shape, page).sql).not.toContain("timestamp < {from:DateTime64(3, 'UTC')}")
    const carried = usageShape([planOf([recurring(charge('weighted_sum', 'gb'))])])
    expect(usageQuery('billing', carried, page).sql).toContain("timestamp < {from:DateTime64(3, 'UTC')}")
  })
})

describe('several measures in one pass', () => {
  it('measures each charge from the same events, with its own event count', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-10-01T00:00:00Z', { v: 2, u: 'x' }),
        ev('2026-10-02T00:00:00Z', { v: 5, u: 'y' }),
        ev('2026-10-03T00:00:00Z', { v: 'n/a', u: 'x' }),
        ev('2026-10-04T00:00:00Z', { w: 1 }, { code: 'ev2' }),
      ])
      const charges = [
        charge('count'),
        charge('sum', 'v'),
        charge('unique_count', 'u'),
        charge('max', 'v'),
        charge('count', undefined, 'ev2'),
      ]
      expect(await measured(store, charges)).toEqual([
        { measure: 0, units: '3', events: 3, invalid: 0 },
        { measure: 1, units: '7', events: 2, invalid: 1 },
        { measure: 2, units: '2', events: 3, invalid: 0 },
        { measure: 3, units: '5', events: 2, invalid: 1 },
        { measure: 4, units: '1', events: 1, invalid: 0 },
      ])
    }))
})

describe('codes that read the same properties, and codes that read others', () => {
  // The store reads each set of codes that read the same properties on its own: `up` and `down`
  // together (sum of bytes), `calls` apart (a filter on region, sum of bytes too), `pings` (no
  // property) with the codes no charge reads.
  it('measures every code, each with only its own properties', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-10-01T00:00:00Z', { bytes: 10, region: 'eu' }, { code: 'up' }),
        ev('2026-10-02T00:00:00Z', { bytes: 20 }, { code: 'up' }),
        ev('2026-10-03T00:00:00Z', { bytes: 300, region: 'us' }, { code: 'down' }),
        ev('2026-10-04T00:00:00Z', { bytes: 4000, region: 'eu' }, { code: 'calls' }),
        ev('2026-10-05T00:00:00Z', { bytes: 50000, region: 'us' }, { code: 'calls' }),
        ev('2026-10-06T00:00:00Z', { bytes: 'x' }, { code: 'pings' }),
        ev('2026-10-07T00:00:00Z', { bytes: 1 }, { code: 'stray' }),
      ])
      const eu = { ...charge('sum', 'bytes', 'calls'), filters: { region: ['eu'] } }
      const charges = [
        charge('sum', 'bytes', 'up'),
        charge('sum', 'bytes', 'down'),
        eu,
        charge('count', undefined, 'pings'),
      ]
      expect(await measured(store, charges)).toEqual([
        { measure: 0, units: '30', events: 2, invalid: 0 },
        { measure: 1, units: '300', events: 1, invalid: 0 },
        { measure: 2, units: '4000', events: 1, invalid: 0 },
        { measure: 3, units: '1', events: 1, invalid: 0 },
      ])
      const folded = await foldFor(store, planOf(charges), OCTOBER, 'c1')
      expect(folded.events).toBe(7)
      expect(folded.unbilled.map((u) => [u.code, u.events])).toEqual(
        expect.arrayContaining([
          ['calls', 1],
          ['stray', 1],
        ]),
      )
      // A code no charge reads is counted only, even where it carries a property others read.
      const shape = usageShape([planOf(charges)])
      const page = { customers: ['c1'], starts: [OCTOBER.from.getTime()], ends: [OCTOBER.to.getTime()] }
      const stray = (await readUsage(store, shape, page)).filter((r) => r.code === 'stray')
      expect(stray.map((r) => ({ n: r.n, flags: r.flags, vals: r.vals }))).toEqual([
        { n: 1, flags: shape.values.map(() => 0), vals: stray[0]!.vals.map(() => null) },
      ])
    }))
})

/** A catalog with one plan of these charges, billing customer c1. */
function catalogOf(charges: Charge[]) {
  const plan: Plan = {
    code: 'p',
    name: 'P',
    currency: 'USD',
    interval: 'monthly',
    fixedFee: new Decimal(0),
    charges,
    file: 'p.yaml',
  }
  return {
    plans: new Map([['p', plan]]),
    customers: new Map([['c1', { id: 'c1', plan: 'p', taxRate: new Decimal(0) }]]),
  }
}
