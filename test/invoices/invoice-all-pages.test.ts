// `invoice --all` in pages of 1,000 customers, the next page measured while one is priced: the
// invoices are those of each customer on its own, in customers.yaml's order, and a page whose query
// fails ends the run with that error after the invoices of the pages before it. Server mode through
// the test HTTP front, so that one page's query can be made to fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invoiceAll, invoiceCustomer, type InvoiceResult } from '../../src/invoices/invoice.js'
import { Decimal } from '../../src/money/decimal.js'
import type { Catalog, Charge, Customer } from '../../src/plans/types.js'
import { invoiceJson } from '../../src/render/invoice.js'
import { openStore, StoreError, type Store } from '../../src/store/store.js'
import { startClickHouseHttp, type ClickHouseHttp, type FaultHook } from '../support/clickhouse-http.js'
import { ingestEvents, removeTempDirs, tempDir, uniqueDatabase, type EventInput } from '../support/events.js'
import { planOf } from '../support/usage.js'

const OCTOBER = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }
const CUSTOMERS = 2_500 // three pages
const id = (i: number) => `c${String(i).padStart(4, '0')}`

const charges: Charge[] = [
  {
    model: 'standard',
    unitPrice: new Decimal('0.5'),
    filters: {},
    groupBy: [],
    metric: { name: 'calls', code: 'call', aggregation: 'count' },
  },
  {
    model: 'standard',
    unitPrice: new Decimal(2),
    filters: {},
    groupBy: [],
    metric: { name: 'gb', code: 'gb', aggregation: 'sum', property: 'n' },
  },
  {
    model: 'standard',
    unitPrice: new Decimal(1),
    filters: {},
    groupBy: [],
    metric: { name: 'disk', code: 'disk', aggregation: 'weighted_sum', property: 'gb', recurring: true },
  },
] as Charge[]
const customers = new Map<string, Customer>()
for (let i = CUSTOMERS - 1; i >= 0; i--)
  customers.set(id(i), { id: id(i), plan: 'p', taxRate: new Decimal(0) })
const catalog: Catalog = { plans: new Map([['p', planOf(charges)]]), customers }

let server: ClickHouseHttp
let store: Store
let fault: FaultHook | undefined
beforeAll(async () => {
  const dir = tempDir('pages')
  server = await startClickHouseHttp({ dataDir: `${dir}/data`, faults: (r) => fault?.(r) })
  store = await openStore({ mode: 'write', url: server.url, database: uniqueDatabase('pages') })
  const events: EventInput[] = []
  for (let i = 0; i < CUSTOMERS; i += 7) {
    for (let k = 0; k <= i % 3; k++) {
      events.push({
        transaction_id: `${i}-c${k}`,
        customer: id(i),
        code: 'call',
        timestamp: `2026-10-0${k + 1}T10:00:00Z`,
      })
    }
    events.push({
      transaction_id: `${i}-g`,
      customer: id(i),
      code: 'gb',
      timestamp: '2026-10-09T10:00:00Z',
      properties: { n: i % 5 },
    })
    // Every 77th customer (0, 1001, 2002: one in each page) has disk held since September.
    if (i % 11 === 0) {
      events.push({
        transaction_id: `${i}-d`,
        customer: id(i),
        code: 'disk',
        timestamp: '2026-09-15T10:00:00Z',
        properties: { gb: (i % 4) + 1 },
      })
    }
  }
  await ingestEvents(store, dir, events)
}, 120_000)
afterAll(async () => {
  await store?.close()
  await server?.close()
  removeTempDirs()
})

/** A page's query: the period's events (the carry-in of all pages is read on its own, once). */
const pageQuery = (query: string) => query.includes('AS singles') && query.includes('timestamp >=')

describe('invoice --all in pages', () => {
  it('gives each customer the invoice it gets alone, in order, over three pages, each with its carry-in', async () => {
    const before = server.requests.length
    const run = await invoiceAll(store, catalog, { period: OCTOBER })
    const all: InvoiceResult[] = []
    for await (const r of run.invoices) all.push(r)
    // Three pages, and one query for the weighted_sum increments before the period of every customer.
    const queries = server.requests.slice(before).filter((r) => r.query.includes('AS singles'))
    expect(queries.filter((r) => pageQuery(r.query))).toHaveLength(3)
    expect(queries).toHaveLength(4)
    expect(all.map((r) => r.invoice.customer)).toEqual(Array.from({ length: CUSTOMERS }, (_, i) => id(i)))
    for (const i of [0, 1, 7, 994, 1001, 1995, 2002, 2499]) {
      const alone = await invoiceCustomer(store, catalog, { customer: id(i), period: OCTOBER })
      expect(invoiceJson(all[i]!.invoice)).toEqual(invoiceJson(alone.invoice))
    }
    // c0994: 994 % 3 = 1, two calls at 0.50, and 994 % 5 = 4 GB at 2.00.
    expect(invoiceJson(all[994]!.invoice).total).toBe('9.00')
    // c1001, in the second page: three calls, 1 GB, and 2 GB of disk held all October.
    expect(invoiceJson(all[1001]!.invoice).total).toBe('5.50')
  })

  it('ends with the error of a page whose query fails, after the invoices of the pages before it', async () => {
    let seen = 0
    fault = (r) => {
      if (!pageQuery(r.query)) return undefined
      seen++
      return seen === 2
        ? { status: 404, body: 'Code: 60. DB::Exception: Table does not exist. (UNKNOWN_TABLE)\n' }
        : undefined
    }
    try {
      const run = await invoiceAll(store, catalog, { period: OCTOBER })
      const got: string[] = []
      const failure = await (async () => {
        for await (const r of run.invoices) got.push(r.invoice.customer)
      })().catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(StoreError)
      expect((failure as Error).message).toMatch(/UNKNOWN_TABLE|does not exist/)
      expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => id(i)))
    } finally {
      fault = undefined
    }
  })
})
