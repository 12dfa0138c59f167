// The repository's example, end to end: plans/events.ndjson ingested into a fresh database, October
// 2026 invoiced with the example plans, and the rendered JSON compared with golden files.
// The golden files are checked too: their units against a computation straight from the NDJSON file
// (below, sharing no code with the engine), their amounts against the arithmetic written out here.
// UPDATE_GOLDEN=1 rewrites them; read the diff before committing it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invoiceCustomer } from '../../src/invoices/invoice.js'
import { Decimal } from '../../src/money/decimal.js'
import { loadCatalog } from '../../src/plans/load.js'
import type { Catalog } from '../../src/plans/types.js'
import { invoiceJson } from '../../src/render/invoice.js'
import { openStore, type Store } from '../../src/store/store.js'
import { ingest, type IngestSummary } from '../../src/ingest/ingest.js'
import { removeTempDirs, tempDir, uniqueDatabase } from '../support/events.js'
import { allInvoices } from '../support/usage.js'

const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../..')
const EVENTS = path.join(ROOT, 'plans/events.ndjson')
const GOLDEN = path.join(ROOT, 'test/usage/golden')
const OCTOBER = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }
const CUSTOMERS = ['acme', 'globex', 'initech', 'hooli'] as const

type InvoiceJson = ReturnType<typeof invoiceJson>

let store: Store
let catalog: Catalog
let summary: IngestSummary
const rendered = new Map<string, InvoiceJson>()

beforeAll(async () => {
  const dir = tempDir('usage-golden')
  store = await openStore({
    mode: 'write',
    dataDir: path.join(dir, 'data'),
    database: uniqueDatabase('golden'),
  })
  summary = await ingest(store, {
    sources: [EVENTS],
    rejectsPath: path.join(dir, 'rejects.ndjson'),
    workers: 2,
  })
  catalog = await loadCatalog(path.join(ROOT, 'plans'))
  for (const customer of CUSTOMERS) {
    const { invoice, warnings } = await invoiceCustomer(store, catalog, { customer, period: OCTOBER })
    expect(warnings).toEqual([])
    rendered.set(customer, invoiceJson(invoice))
  }
})
afterAll(async () => {
  await store?.close()
  removeTempDirs()
})

describe('the example events', () => {
  it('are all stored: 4587 lines, 30 of them repeats of an earlier line', () => {
    expect([summary.lines, summary.accepted, summary.rejected]).toEqual([4587, 4587, 0])
    expect([summary.duplicatesInInput, summary.newEvents]).toEqual([30, 4557])
  })
})

describe.each(CUSTOMERS)('the October 2026 invoice of %s', (customer) => {
  const file = path.join(GOLDEN, `${customer}.json`)

  it('matches its golden file', () => {
    const actual = rendered.get(customer)!
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`)
    expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1`).toBe(true)
    expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')))
  })

  it('golden file: units as computed straight from the NDJSON', () => {
    const golden = JSON.parse(readFileSync(file, 'utf8')) as InvoiceJson
    const lines = golden.intervals.flatMap((i) => i.lines)
    const units = lines.filter((l) => l.type === 'usage').map((l) => [l.metric, l.group, l.units])
    expect(units).toEqual(independentUnits(customer))
  })

  it('golden file: amounts as worked out by hand', () => {
    if (customer === 'globex') expect(firstPayments('globex', 10)).toBe('2884.39')
    const golden = JSON.parse(readFileSync(file, 'utf8')) as InvoiceJson
    const { lines, subtotal, tax, total } = KEY_FIGURES[customer]
    expect(golden.intervals.flatMap((i) => i.lines).map((l) => l.amount)).toEqual(lines)
    expect([golden.subtotal, golden.tax, golden.total]).toEqual([subtotal, tax, total])
  })
})

describe('invoiceAll over the example', () => {
  it('gives the same four invoices in one pass, and nobody unbilled', async () => {
    const run = await allInvoices(store, catalog, { period: OCTOBER })
    expect(run.unbilled).toEqual([])
    const byCustomer = Object.fromEntries(
      run.invoices.map((r) => [r.invoice.customer, invoiceJson(r.invoice)]),
    )
    expect(byCustomer).toEqual(Object.fromEntries(CUSTOMERS.map((c) => [c, rendered.get(c)])))
  })
})

// Amounts by hand from the units (plans/*.yaml; lines in plan order, the fixed fee first):
const KEY_FIGURES = {
  // pro, USD: fixed 99; seats 7 x 12 = 84; api_calls 1500: (1500 - 1000) x 0.01 = 5;
  // gpt-4o tokens (volume, both regions above 100,000): 134305 x 0.00005 + 10 = 16.71525 -> 16.72 and
  // 127685 x 0.00005 + 10 = 16.38425 -> 16.38; storage 262.74 GB - 100 free = 2 packages x 5 = 10;
  // peak connections 98 x 0.50 = 49. Subtotal 280.10 (over the 250 minimum: no true-up), tax 20 % 56.02.
  acme: {
    lines: ['99.00', '84.00', '5.00', '16.72', '16.38', '10.00', '49.00'],
    subtotal: '280.10',
    tax: '56.02',
    total: '336.12',
  },
  // enterprise, EUR: fixed 2000; seats 25 x 10 = 250; tokens 1,879,470: 1,000,000 x 0.01 % = 100, then
  // 879,470 x 0.005 % = 43.9735 + 50 flat -> 193.97; payments: the first 10 of its 40 events by time
  // are wholly free (Lago's free_units_per_events), their 2884.39 too: 1.2 % x (10443.95 - 2884.39)
  // = 90.71472, + (40 - 10) x 0.10 = 93.71472 -> 93.71; storage 1335.78 GB = 3 packages of 500 x 20
  // = 60. Subtotal 2597.68 (over the 2500 minimum), tax 19 % = 493.5592 -> 493.56.
  globex: {
    lines: ['2000.00', '250.00', '193.97', '93.71', '60.00'],
    subtotal: '2597.68',
    tax: '493.56',
    total: '3091.24',
  },
  // starter, USD: 800 calls, all in the free first 1000; 53,746 tokens x 0.000002 = 0.107492 -> 0.11.
  initech: { lines: ['0.00', '0.11'], subtotal: '0.11', tax: '0.00', total: '0.11' },
  // starter, no events: every charge at 0, no fixed fee.
  hooli: { lines: ['0.00', '0.00'], subtotal: '0.00', tax: '0.00', total: '0.00' },
}

// ---- Units straight from the NDJSON file, in plain TypeScript ---------------------------------------

/** The sum of a customer's first `n` payments of October by time. */
function firstPayments(customer: string, n: number): string {
  const from = OCTOBER.from.getTime()
  const to = OCTOBER.to.getTime()
  return exampleEvents()
    .filter((e) => e.customer === customer && e.code === 'payment' && e.ms >= from && e.ms < to)
    .sort((a, b) => a.ms - b.ms)
    .slice(0, n)
    .reduce((s, e) => s.plus(e.properties.amount!), new Decimal(0))
    .toFixed()
}

interface RawEvent {
  customer: string
  code: string
  ms: number
  properties: Record<string, string>
}

let events: RawEvent[] | undefined

/** The stored events: the last line of each (customer, transaction_id) wins; all values as text. */
function exampleEvents(): RawEvent[] {
  if (events) return events
  const latest = new Map<string, RawEvent>()
  for (const line of readFileSync(EVENTS, 'utf8').split('\n')) {
    if (line.trim() === '') continue
    const e = JSON.parse(line) as Record<string, unknown>
    const customer = String(e.customer ?? e.external_customer_id)
    const ms = typeof e.timestamp === 'number' ? e.timestamp * 1000 : Date.parse(String(e.timestamp))
    const properties = Object.fromEntries(
      Object.entries((e.properties ?? {}) as object).map(([k, v]) => [k, String(v)]),
    )
    latest.set(`${customer}\u0000${String(e.transaction_id)}`, {
      customer,
      code: String(e.code),
      ms,
      properties,
    })
  }
  return (events = [...latest.values()])
}

/** [metric, group, units] of each usage line of the customer's plan, as the golden file shows them. */
function independentUnits(customer: string): [string, Record<string, string> | null, string][] {
  const from = OCTOBER.from.getTime()
  const to = OCTOBER.to.getTime()
  const mine = exampleEvents().filter((e) => e.customer === customer && e.ms < to)
  const inPeriod = (code: string) => mine.filter((e) => e.code === code && e.ms >= from)
  const sum = (list: RawEvent[], key: string) =>
    list.reduce((s, e) => s.plus(e.properties[key]!), new Decimal(0))
  const text = (d: Decimal) => d.toDecimalPlaces(12, Decimal.ROUND_HALF_UP).toFixed()

  const calls = inPeriod('api_calls')
  const seats = new Set(inPeriod('seat_activity').map((e) => e.properties.user_id)).size
  const tokens = sum(calls, 'tokens')
  const gpt4o = calls.filter((e) => e.properties.model === 'gpt-4o')
  const regions = [...new Set(gpt4o.map((e) => e.properties.region!))].sort()
  const peak = inPeriod('connections').reduce((m, e) => Decimal.max(m, e.properties.conns!), new Decimal(0))
  const payments = sum(inPeriod('payment'), 'amount')
  // Each increment counts for the share of the period it was held; earlier ones for all of it.
  const held = (e: RawEvent) => (e.ms < from ? new Decimal(1) : new Decimal(to - e.ms).div(to - from))
  const storage = mine
    .filter((e) => e.code === 'storage')
    .reduce((s, e) => s.plus(new Decimal(e.properties.gb!).times(held(e))), new Decimal(0))

  const plan = catalog.customers.get(customer)!.plan
  if (plan === 'pro') {
    return [
      ['seats', null, String(seats)],
      ['api_calls', null, String(calls.length)],
      ...regions.map((r): [string, Record<string, string>, string] => [
        'tokens',
        { region: r },
        text(
          sum(
            gpt4o.filter((e) => e.properties.region === r),
            'tokens',
          ),
        ),
      ]),
      ['storage_gb', null, text(storage)],
      ['peak_connections', null, text(peak)],
    ]
  }
  if (plan === 'enterprise') {
    return [
      ['seats', null, String(seats)],
      ['tokens', null, text(tokens)],
      ['payments', null, text(payments)],
      ['storage_gb', null, text(storage)],
    ]
  }
  return [
    ['api_calls', null, String(calls.length)],
    ['tokens', null, text(tokens)],
  ]
}
