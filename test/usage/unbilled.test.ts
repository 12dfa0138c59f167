// Why an event was (not) billed: the invoice lists the period's events no charge counted, by code and
// reason, and `billing events` shows each stored event with the charges it fed, or why none did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listEvents } from '../../src/invoices/events.js'
import { invoiceCustomer } from '../../src/invoices/invoice.js'
import { Decimal } from '../../src/money/decimal.js'
import type { Catalog, Charge } from '../../src/plans/types.js'
import { openStore, type Store } from '../../src/store/store.js'
import { ingestEvents, removeTempDirs, tempDir, uniqueDatabase, type EventInput } from '../support/events.js'
import { planOf } from '../support/usage.js'

const OCTOBER = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }

const charge = (over: Partial<Charge> & Pick<Charge, 'metric'>): Charge =>
  ({ model: 'standard', unitPrice: new Decimal(1), filters: {}, groupBy: [], ...over }) as Charge
const charges: Charge[] = [
  charge({ metric: { name: 'gpt_calls', code: 'call', aggregation: 'count' }, filters: { model: ['gpt'] } }),
  charge({
    metric: { name: 'tokens', code: 'token', aggregation: 'sum', property: 'n' },
    groupBy: ['region'],
  }),
  charge({ metric: { name: 'users', code: 'seat', aggregation: 'unique_count', property: 'user' } }),
]
const catalog: Catalog = {
  plans: new Map([['p', planOf(charges)]]),
  customers: new Map([['c1', { id: 'c1', plan: 'p', taxRate: new Decimal(0) }]]),
}

let seq = 0
const ev = (code: string, properties: EventInput['properties'] = {}, day = 5): EventInput => ({
  transaction_id: `t${++seq}`,
  customer: 'c1',
  code,
  timestamp: `2026-10-${String(day).padStart(2, '0')}T12:00:00Z`,
  properties,
})

let store: Store
beforeAll(async () => {
  const dir = tempDir('unbilled')
  store = await openStore({ mode: 'write', dataDir: `${dir}/data`, database: uniqueDatabase('unbilled') })
  await ingestEvents(store, dir, [
    ev('call', { model: 'gpt' }, 1), // billed
    ev('call', { model: 'llama' }, 2), // filters
    ev('call', {}, 3), // filters: no model at all
    ev('token', { n: 5, region: 'eu' }, 4), // billed, in group eu
    ev('token', { n: 'lots' }, 5), // not a number
    ev('token', { region: 'us' }, 6), // missing property
    ev('seat', { user: 'u1' }, 7), // billed
    ev('seat', {}, 8), // missing property
    ev('ping', {}, 9), // no charge reads it
    ev('ping', {}, 10),
  ])
})
afterAll(async () => {
  await store?.close()
  removeTempDirs()
})

describe('the invoice says which events of the period no charge counted, and why', () => {
  it('by code and reason, most events first', async () => {
    const { invoice } = await invoiceCustomer(store, catalog, { customer: 'c1', period: OCTOBER })
    expect(invoice.unbilled).toEqual([
      { code: 'call', reason: 'filters', events: 2 },
      { code: 'ping', reason: 'no_charge', events: 2 },
      { code: 'seat', reason: 'missing_property', events: 1 },
      { code: 'token', reason: 'missing_property', events: 1 },
      { code: 'token', reason: 'not_a_number', events: 1 },
    ])
    const lines = invoice.intervals[0]!.lines.map((l) => [l.metric, l.group, l.units?.toFixed()])
    expect(lines).toEqual([
      ['gpt_calls', null, '1'],
      ['tokens', { region: 'eu' }, '5'],
      ['users', null, '1'],
    ])
  })

  it('an event counted by one charge is billed, even if another that reads its code skips it', async () => {
    const both = [...charges, charge({ metric: { name: 'all_tokens', code: 'token', aggregation: 'count' } })]
    const plan = planOf(both)
    const withCount: Catalog = { plans: new Map([['p', plan]]), customers: catalog.customers }
    const { invoice } = await invoiceCustomer(store, withCount, { customer: 'c1', period: OCTOBER })
    expect(invoice.unbilled.filter((u) => u.code === 'token')).toEqual([])
  })
})

describe('billing events shows each stored event with what it fed', () => {
  it('newest first, each with its charges and group, or the reason it was not billed', async () => {
    const page = await listEvents(store, catalog, {
      customer: 'c1',
      period: () => OCTOBER,
      limit: 100,
      offset: 0,
    })
    expect(page.plan).toBe('p')
    expect(page.nextOffset).toBeNull()
    expect(
      page.events.map((e) => [e.event.code, e.charges.map((c) => [c.metric, c.group]), e.unbilled]),
    ).toEqual([
      ['ping', [], 'no_charge'],
      ['ping', [], 'no_charge'],
      ['seat', [], 'missing_property'],
      ['seat', [['users', null]], null],
      ['token', [], 'missing_property'],
      ['token', [], 'not_a_number'],
      ['token', [['tokens', { region: 'eu' }]], null],
      ['call', [], 'filters'],
      ['call', [], 'filters'],
      ['call', [['gpt_calls', null]], null],
    ])
  })

  it('pages through the events, finds one by its transaction id, and filters by code', async () => {
    const first = await listEvents(store, catalog, {
      customer: 'c1',
      period: () => OCTOBER,
      limit: 4,
      offset: 0,
    })
    const second = await listEvents(store, catalog, {
      customer: 'c1',
      period: () => OCTOBER,
      limit: 4,
      offset: 4,
    })
    const third = await listEvents(store, catalog, {
      customer: 'c1',
      period: () => OCTOBER,
      limit: 4,
      offset: 8,
    })
    expect([first.nextOffset, second.nextOffset, third.nextOffset]).toEqual([4, 8, null])
    const ids = [...first.events, ...second.events, ...third.events].map((e) => e.event.transactionId)
    expect(new Set(ids).size).toBe(10)
    const one = await listEvents(store, catalog, {
      customer: 'c1',
      period: () => OCTOBER,
      transactionId: ids[3]!,
      limit: 10,
      offset: 0,
    })
    expect(one.events.map((e) => e.event.transactionId)).toEqual([ids[3]])
    const calls = await listEvents(store, catalog, {
      customer: 'c1',
      period: () => OCTOBER,
      code: 'call',
      limit: 10,
      offset: 0,
    })
    expect(calls.events.map((e) => e.event.code)).toEqual(['call', 'call', 'call'])
  })

  it('a customer with no plan sees its events, none billed', async () => {
    const page = await listEvents(
      store,
      { plans: catalog.plans, customers: new Map() },
      {
        customer: 'c1',
        period: () => OCTOBER,
        limit: 3,
        offset: 0,
      },
    )
    expect(page.plan).toBeNull()
    expect(page.events.every((e) => e.charges.length === 0)).toBe(true)
  })
})
