// A percentage charge reads its events as Lago's aggregations give them to its percentage model:
// a unique_count's paying "events" are its distinct values (text ones too), a max's only share is
// the first event holding the maximum, and a sum's are its values. From the store, end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invoiceCustomer } from '../../src/invoices/invoice.js'
import { Decimal } from '../../src/money/decimal.js'
import type { BillableMetric, Catalog, Charge } from '../../src/plans/types.js'
import { openStore, type Store } from '../../src/store/store.js'
import { ingestEvents, removeTempDirs, tempDir, uniqueDatabase, type EventInput } from '../support/events.js'
import { percentageCharge, planOf } from '../support/usage.js'

const seats: BillableMetric = { name: 'seats', code: 'seat', aggregation: 'unique_count', property: 'user' }
const peak: BillableMetric = { name: 'peak', code: 'transfer', aggregation: 'max', property: 'mb' }

const percentage = percentageCharge

const catalogOf = (charge: Charge): Catalog => ({
  plans: new Map([['p', planOf([charge])]]),
  customers: new Map(
    ['c1', 'c2', 'c3'].map((id) => [id, { id, plan: 'p', taxRate: new Decimal(0) }] as const),
  ),
})

const at = (day: number) => `2026-10-${String(day).padStart(2, '0')}T09:00:00Z`
// Four seat events of three users, by text id; three transfers of 10, 30 and 20 MB, in this order.
const events: EventInput[] = [
  ...['ana', 'bo', 'ana', 'cy'].map((user, i) => ({
    transaction_id: `s${i}`,
    customer: 'c1',
    code: 'seat',
    timestamp: at(1 + i),
    properties: { user },
  })),
  ...[10, 30, 20].map((mb, i) => ({
    transaction_id: `t${i}`,
    customer: 'c1',
    code: 'transfer',
    timestamp: at(10 + i),
    properties: { mb: String(mb) },
  })),
  // c2: three users added, one of them removed after (Lago's operation_type).
  ...[['ana'], ['bo'], ['cy'], ['bo', 'remove']].map(([user, operation_type], i) => ({
    transaction_id: `r${i}`,
    customer: 'c2',
    code: 'seat',
    timestamp: at(1 + i),
    properties: { user: user!, ...(operation_type && { operation_type }) },
  })),
]
// c3: 150,000 transfers over two days, one every second, of 0 to 999 MB (the first 999 MB is the
// 1,000th): more per-event values than a function's arguments can be spread over.
const MANY = 150_000
for (let i = 0; i < MANY; i++) {
  events.push({
    transaction_id: `m${i}`,
    customer: 'c3',
    code: 'transfer',
    timestamp: new Date(Date.UTC(2026, 9, 20) + i * 1000).toISOString(),
    properties: { mb: i % 1000 },
  })
}
const OCTOBER = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }

let store: Store
beforeAll(async () => {
  const dir = tempDir('percentage-aggregations')
  store = await openStore({ mode: 'write', dataDir: `${dir}/data`, database: uniqueDatabase('pcta') })
  await ingestEvents(store, dir, events)
})
afterAll(async () => {
  await store?.close()
  removeTempDirs()
})

const amountOf = async (charge: Charge, customer = 'c1') => {
  const { invoice } = await invoiceCustomer(store, catalogOf(charge), { customer, period: OCTOBER })
  const line = invoice.intervals[0]!.lines.find((l) => l.type === 'usage')!
  return line.amount.toFixed(2)
}

describe('unique_count: each distinct value is one paying event', () => {
  it('charges the fixed fee once per distinct value, not per event (3 users of 4 events)', async () => {
    // 10 % of 3 units + 3 x 1.00
    expect(await amountOf(percentage(seats, { fixedFee: new Decimal(1) }))).toBe('3.30')
  })

  it('frees units of text values: free units 1 of 3 users, the values below it pay no fixed fee', async () => {
    // Running total 1, 2, 3: free 1 unit; no total is below 1, so 3 fixed fees.
    expect(await amountOf(percentage(seats, { fixedFee: new Decimal(1), freeUnits: new Decimal(1) }))).toBe(
      '3.20',
    )
  })

  it('frees N units whatever X is when there are more than N users (N = 2, X = 1)', async () => {
    // Lago frees the running total after 2 values: 2 units; 10 % of the third.
    const charge = percentage(seats, { freeUnits: new Decimal(1), freeEvents: 2 })
    expect(await amountOf(charge)).toBe('0.10')
  })

  it('charges no fixed fee for a value removed after it was added (2 of 3 users stay)', async () => {
    // 10 % of 2 units + 2 x 1.00
    expect(await amountOf(percentage(seats, { fixedFee: new Decimal(1) }), 'c2')).toBe('2.20')
  })

  it('bounds every event, each worth 1, with per-event bounds (4 events of 0.10 raised to 0.50)', async () => {
    expect(await amountOf(percentage(seats, { perEventMin: new Decimal('0.5') }))).toBe('2.00')
  })
})

describe('max: the first event holding the maximum carries the units', () => {
  it('frees no unit and spares the fixed fee of the free events only (N = 2 of 3 transfers)', async () => {
    // 10 % of 30 + 1 fixed fee; free units do not apply to a max.
    const charge = percentage(peak, { fixedFee: new Decimal(1), freeEvents: 2, freeUnits: new Decimal(25) })
    expect(await amountOf(charge)).toBe('4.00')
  })

  it('bounds each event on its share: 0, 30, 0 MB, each with the fixed fee', async () => {
    // 0 + 1 = 1, 3 + 1 = 4 -> 2.50, 0 + 1 = 1
    const charge = percentage(peak, { fixedFee: new Decimal(1), perEventMax: new Decimal('2.5') })
    expect(await amountOf(charge)).toBe('4.50')
  })

  it('finds the first maximum among 150,000 events of one interval', async () => {
    // Only the first 999 MB carries units: 10 % of 999 bounded at 2.50; the 149,999 others pay 0.
    const charge = percentage(peak, { perEventMax: new Decimal('2.5') })
    expect(await amountOf(charge, 'c3')).toBe('2.50')
  })
})
