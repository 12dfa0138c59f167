// A page of customers on different plans (invoice --all): the page's query reads for each customer
// only what its own plan reads, so a customer whose plan groups by nothing gets one row per code
// where another's plan splits the same events by their properties; and the invoices stay those of
// each customer on its own.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { invoiceCustomer } from '../../src/invoices/invoice.js'
import { usageShape } from '../../src/invoices/usage-shape.js'
import { Decimal } from '../../src/money/decimal.js'
import type { Catalog, Charge, Customer, Plan } from '../../src/plans/types.js'
import { invoiceJson } from '../../src/render/invoice.js'
import { openStore, type Store } from '../../src/store/store.js'
import { readUsage, type UsageRow } from '../../src/store/usage.js'
import { ingestEvents, removeTempDirs, tempDir, type EventInput } from '../support/events.js'
import { allInvoices, planOf } from '../support/usage.js'

const OCTOBER = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }

function charge(metric: Charge['metric'], more: Partial<Charge> = {}): Charge {
  return { model: 'standard', unitPrice: new Decimal(1), filters: {}, groupBy: [], metric, ...more } as Charge
}
const calls = { name: 'calls', code: 'call', aggregation: 'count' } as const
const tokens = { name: 'tokens', code: 'call', aggregation: 'sum', property: 'tokens' } as const
const seats = { name: 'seats', code: 'seat', aggregation: 'unique_count', property: 'user' } as const
const disk = { name: 'disk', code: 'disk', aggregation: 'max', property: 'gb' } as const

// flat: calls and tokens, whatever their properties. regional: tokens of model a by region, and seats.
// storage: disk by region (the same property as regional's, on another code), and calls.
const peakTokens = { name: 'peak_tokens', code: 'call', aggregation: 'max', property: 'tokens' } as const
const flat = planOf(
  [charge(calls), charge(tokens), charge(peakTokens, { unitPrice: new Decimal(0) })],
  'flat',
)
const regional = planOf(
  [
    charge(tokens, { filters: { model: ['a'] }, groupBy: ['region'] }),
    charge(seats, { unitPrice: new Decimal(3) }),
  ],
  'regional',
)
const storage = planOf(
  [charge(disk, { groupBy: ['region'] }), charge(calls, { unitPrice: new Decimal('0.5') })],
  'storage',
)
const plans: Plan[] = [flat, regional, storage]
const planOfCustomer = { f1: flat, r1: regional, s1: storage, f2: flat }

let seq = 0
const events: EventInput[] = []
for (const customer of Object.keys(planOfCustomer)) {
  for (const model of ['a', 'b']) {
    for (const region of ['eu', 'us']) {
      const properties = { model, region, tokens: 10 + seq }
      events.push({
        transaction_id: `t${seq++}`,
        customer,
        code: 'call',
        timestamp: '2026-10-05T10:00:00Z',
        properties,
      })
    }
  }
  for (const [user, region] of [
    ['u1', 'eu'],
    ['u2', 'us'],
  ]) {
    const properties = { user: user!, region: region!, gb: seq }
    events.push({
      transaction_id: `t${seq++}`,
      customer,
      code: 'seat',
      timestamp: '2026-10-06T10:00:00Z',
      properties,
    })
    events.push({
      transaction_id: `t${seq++}`,
      customer,
      code: 'disk',
      timestamp: '2026-10-07T10:00:00Z',
      properties,
    })
  }
}

// A token count that is not a number: for f1, two charges' warning; for r1, an event its one charge cannot count.
events.push(
  {
    transaction_id: 'x1',
    customer: 'f1',
    code: 'call',
    timestamp: '2026-10-08T10:00:00Z',
    properties: { model: 'a', region: 'eu', tokens: 'n/a' },
  },
  {
    transaction_id: 'x2',
    customer: 'r1',
    code: 'call',
    timestamp: '2026-10-08T10:00:00Z',
    properties: { model: 'a', region: 'eu', tokens: 'lots' },
  },
)

let store: Store
beforeAll(async () => {
  store = await openStore({ mode: 'write', dataDir: tempDir('page-plans'), database: 'billing' })
  await ingestEvents(store, tempDir('page-plans-events'), events)
}, 120_000)
afterAll(async () => {
  await store?.close()
  removeTempDirs()
})

const catalog: Catalog = {
  plans: new Map(plans.map((p) => [p.code, p])),
  customers: new Map(
    Object.entries(planOfCustomer).map(([id, plan]): [string, Customer] => [
      id,
      { id, plan: plan.code, taxRate: new Decimal(0) },
    ]),
  ),
}

/** A customer's rows of a code, by what they were grouped by. */
function groups(rows: UsageRow[], customer: string, code: string) {
  return rows
    .filter((r) => r.customer === customer && r.code === code)
    .map((r) => ({
      keys: r.keys,
      flags: r.flags,
      n: r.n,
      distinct: r.distinct.map((d) => Object.keys(d).sort()),
      added: r.added,
    }))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
}

describe('a page of customers on different plans', () => {
  it('reads for each customer only the properties its own plan reads, on the codes it reads them', async () => {
    const shape = usageShape(plans)
    const byPlan = plans.map((plan) => ({
      customers: Object.entries(planOfCustomer)
        .filter(([, p]) => p === plan)
        .map(([id]) => id),
      shape: usageShape([plan]),
    }))
    const page = {
      customers: Object.keys(planOfCustomer),
      plans: byPlan,
      starts: [OCTOBER.from.getTime()],
      ends: [OCTOBER.to.getTime()],
    }
    const rows = await readUsage(store, shape, page)
    const dims = shape.dimensions.map((d) => d.name)
    const values = shape.values.map((v) => v.name)
    expect(dims).toEqual(['model', 'region'])
    expect(values).toEqual(['gb', 'tokens', 'user'])
    const flags = (read: Record<string, number>) => values.map((v) => read[v] ?? 0)
    const none = values.map(() => [] as string[])
    const zeros = values.map(() => 0)
    // flat reads tokens on calls, and no property: its four calls are one group.
    expect(groups(rows, 'f1', 'call')).toEqual([
      { keys: [null, null], flags: flags({ tokens: 1 }), n: 1, distinct: none, added: zeros },
      { keys: [null, null], flags: flags({ tokens: 2 }), n: 4, distinct: none, added: zeros },
    ])
    // regional splits its calls by model and region, and the tokens that are no number from the others;
    // storage counts them only.
    expect(groups(rows, 'r1', 'call').map((g) => [g.keys, g.flags, g.n])).toEqual([
      [['a', 'eu'], flags({ tokens: 1 }), 1],
      [['a', 'eu'], flags({ tokens: 2 }), 1],
      [['a', 'us'], flags({ tokens: 2 }), 1],
      [['b', 'eu'], flags({ tokens: 2 }), 1],
      [['b', 'us'], flags({ tokens: 2 }), 1],
    ])
    expect(groups(rows, 's1', 'call')).toEqual([
      { keys: [null, null], flags: flags({}), n: 4, distinct: none, added: zeros },
    ])
    // Seats: only regional counts the users (nothing else is read on seat: counted by the engine, not
    // listed); for the others they are events of a code their plan does not read.
    expect(groups(rows, 'r1', 'seat')).toEqual([
      { keys: [null, null], flags: flags({ user: 1 }), n: 2, distinct: none, added: [0, 0, 2] },
    ])
    expect(groups(rows, 'f2', 'seat')).toEqual([
      { keys: [null, null], flags: flags({}), n: 2, distinct: none, added: zeros },
    ])
    // Region on disk: read for storage's customer only, though regional reads region on calls.
    expect(groups(rows, 's1', 'disk').map((g) => [g.keys, g.flags, g.n])).toEqual([
      [[null, 'eu'], flags({ gb: 2 }), 1],
      [[null, 'us'], flags({ gb: 2 }), 1],
    ])
    expect(groups(rows, 'r1', 'disk')).toEqual([
      { keys: [null, null], flags: flags({}), n: 2, distinct: none, added: zeros },
    ])
  })

  it('reads nothing of a column on a page without the plans that read it', async () => {
    const shape = usageShape(plans)
    const page = {
      customers: ['f1', 'r1'],
      plans: [
        { customers: ['f1'], shape: usageShape([flat]) },
        { customers: ['r1'], shape: usageShape([regional]) },
      ],
      starts: [OCTOBER.from.getTime()],
      ends: [OCTOBER.to.getTime()],
    }
    const rows = await readUsage(store, shape, page)
    // Only storage reads gb and region on disk: neither customer's disk events are split or read.
    const nothing = {
      keys: [null, null],
      flags: shape.values.map(() => 0),
      n: 2,
      distinct: shape.values.map(() => []),
      added: shape.values.map(() => 0),
    }
    expect(groups(rows, 'f1', 'disk')).toEqual([nothing])
    expect(groups(rows, 'r1', 'disk')).toEqual([nothing])
    expect(groups(rows, 'r1', 'call')).toHaveLength(5)
  })

  it('gives invoice --all the rows of each customer as its own plan reads them, and the invoices it gets alone', async () => {
    const read = vi.spyOn(store, 'lines')
    const { invoices } = await allInvoices(store, catalog, { period: OCTOBER })
    const lines = (await Promise.all(read.mock.results.map((r) => r.value as Promise<string[]>))).flat()
    read.mockRestore()
    const rowsOf = (customer: string, code: string) =>
      lines.filter((l) => l.startsWith(`["${customer}",`) && l.includes(`"${code}"`)).length
    expect([rowsOf('f1', 'call'), rowsOf('f2', 'call'), rowsOf('s1', 'call'), rowsOf('r1', 'call')]).toEqual([
      2, 1, 1, 5,
    ])
    expect(invoices.map((r) => r.invoice.customer)).toEqual(['f1', 'f2', 'r1', 's1'])
    for (const r of invoices) {
      const alone = await invoiceCustomer(store, catalog, { customer: r.invoice.customer, period: OCTOBER })
      expect(invoiceJson(r.invoice)).toEqual(invoiceJson(alone.invoice))
      expect(r.warnings).toEqual(alone.warnings)
    }
    const warnings = Object.fromEntries(invoices.map((r) => [r.invoice.customer, r.warnings]))
    expect(warnings.f1).toEqual([expect.stringContaining('"tokens"'), expect.stringContaining('peak_tokens')])
    expect(warnings.r1).toEqual([expect.stringContaining('"tokens"')])
    const r1 = invoiceJson(invoices.find((r) => r.invoice.customer === 'r1')!.invoice)
    expect(r1.unbilled).toEqual(expect.arrayContaining([{ code: 'call', reason: 'not_a_number', events: 1 }]))
    // f1: 5 calls and 10 + 11 + 12 + 13 tokens (their peak at 0); r1: model a's tokens 18 (eu) and 19 (us), 2 seats at 3;
    // s1: the largest disk of each region, 20 and 22, and 4 calls at 0.50; f2: 4 calls, 34 to 37 tokens.
    const totals = Object.fromEntries(invoices.map((r) => [r.invoice.customer, invoiceJson(r.invoice).total]))
    expect(totals).toEqual({ f1: '51.00', r1: '43.00', s1: '44.00', f2: '146.00' })
  })
})
