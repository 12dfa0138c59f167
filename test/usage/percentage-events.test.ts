// Percentage charges whose rules look at single events (free events, free units, per-event bounds)
// read those events from the store in time order, copies counted once, each interval on its own,
// whatever other charges split the same code's events by.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invoiceCustomer } from '../../src/invoices/invoice.js'
import { Decimal } from '../../src/money/decimal.js'
import type { Catalog, Charge } from '../../src/plans/types.js'
import { openStore, type Store } from '../../src/store/store.js'
import { ingestEvents, removeTempDirs, tempDir, uniqueDatabase, type EventInput } from '../support/events.js'
import { percentageCharge, planOf } from '../support/usage.js'

const amount = { name: 'amount', code: 'payment', aggregation: 'sum', property: 'amount' } as const
const percentage = (over: Parameters<typeof percentageCharge>[1]) =>
  percentageCharge(amount, { fixedFee: new Decimal('0.5'), ...over })
// A second charge on the same code groups by region: the store's rows split by region, the
// percentage charges must still see their events in one time order.
const byRegion: Charge = {
  metric: { name: 'payments', code: 'payment', aggregation: 'count' },
  model: 'standard',
  unitPrice: new Decimal(0),
  filters: {},
  groupBy: ['region'],
} as Charge

function catalogOf(charge: Charge, interval: 'monthly' | 'weekly' = 'monthly'): Catalog {
  return {
    plans: new Map([['p', { ...planOf([charge, byRegion]), interval }]]),
    customers: new Map([['c1', { id: 'c1', plan: 'p', taxRate: new Decimal(0) }]]),
  }
}

// Ten payments in October, in this time order, alternating regions; sent in reverse order, and the
// third is sent twice (the later copy, with amount 30, wins).
const amounts = [100, 5, 20, 1, 50, 8, 200, 3, 40, 10]
const events: EventInput[] = amounts.map((a, i) => ({
  transaction_id: `p${i}`,
  customer: 'c1',
  code: 'payment',
  timestamp: `2026-10-${String(1 + i * 3).padStart(2, '0')}T09:00:00Z`,
  properties: { amount: String(a), region: i % 2 ? 'us' : 'eu' },
}))
const OCTOBER = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }

let store: Store
beforeAll(async () => {
  const dir = tempDir('percentage-events')
  store = await openStore({ mode: 'write', dataDir: `${dir}/data`, database: uniqueDatabase('pct') })
  await ingestEvents(store, dir, [...events].reverse())
  await ingestEvents(store, dir, [{ ...events[2]!, properties: { amount: '30', region: 'eu' } }])
})
afterAll(async () => {
  await store?.close()
  removeTempDirs()
})

const usageLine = async (charge: Charge, period = OCTOBER, interval: 'monthly' | 'weekly' = 'monthly') => {
  const { invoice } = await invoiceCustomer(store, catalogOf(charge, interval), { customer: 'c1', period })
  return invoice.intervals.map((i) => i.lines.find((l) => l.type === 'usage' && l.metric === 'amount')!)
}
// In time order, with the copy that won: 100, 5, 30, 1, 50, 8, 200, 3, 40, 10 (sum 447).
const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

describe('percentage rules that read single events, from the store', () => {
  it('free_events frees the first N events by time, their units and their fixed fees', async () => {
    const [line] = await usageLine(percentage({ freeEvents: 3 }))
    // Paying: 1, 50, 8, 200, 3, 40, 10 -> 10 % of 312 + 7 x 0.50.
    expect(line!.amount.toFixed(2)).toBe(
      new Decimal(sumOf([1, 50, 8, 200, 3, 40, 10])).times(0.1).plus(3.5).toFixed(2),
    )
  })

  it('free_units frees the first X units in time order; events within them pay no fixed fee', async () => {
    const [line] = await usageLine(percentage({ freeUnits: new Decimal(120) }))
    // Running totals 100, 105 (free), 135 (15 over: pays), then every later event pays: 8 paying events.
    expect(line!.amount.toFixed(2)).toBe(
      new Decimal(447 - 120)
        .times(0.1)
        .plus(8 * 0.5)
        .toFixed(2),
    )
  })

  it('per-event bounds clamp each paying event on its own', async () => {
    const [line] = await usageLine(
      percentage({ fixedFee: new Decimal(0), perEventMin: new Decimal(1), perEventMax: new Decimal(10) }),
    )
    // 10 % of each: 10, 0.5->1, 3, 0.1->1, 5, 0.8->1, 20->10, 0.3->1, 4, 1.
    expect(line!.amount.toFixed(2)).toBe('37.00')
  })

  it('reads each interval of the period on its own', async () => {
    const weeks = await usageLine(percentage({ freeEvents: 1 }), OCTOBER, 'weekly')
    // Each week's first event is free; the events by ISO week of October 2026 (weeks start Monday).
    const byWeek = new Map<string, number[]>()
    const time = [...amounts]
    time[2] = 30
    events.forEach((e, i) => {
      const d = new Date(e.timestamp as string)
      const monday = new Date(
        Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7)),
      )
      const key = monday.toISOString()
      byWeek.set(key, [...(byWeek.get(key) ?? []), time[i]!])
    })
    const expected = [...byWeek.values()].map((xs) => {
      const paying = xs.slice(1)
      return new Decimal(sumOf(paying))
        .times(0.1)
        .plus(paying.length * 0.5)
        .toFixed(2)
    })
    expect(weeks.map((l) => l?.amount.toFixed(2) ?? '0.00')).toEqual(expected)
  })
})
