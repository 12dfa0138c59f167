// Which events a charge reads: the half-open period, the newest copy of each event, filters,
// group_by, one customer's events only, and every customer at once with invoiceAll.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invoiceCustomer } from '../../src/invoices/invoice.js'
import type { Period } from '../../src/invoices/types.js'
import { Decimal } from '../../src/money/decimal.js'
import { loadCatalog } from '../../src/plans/load.js'
import type { AggregationName, Charge } from '../../src/plans/types.js'
import { invoiceJson } from '../../src/render/invoice.js'
import type { Store } from '../../src/store/store.js'
import { ingestEvents, removeTempDirs, tempDir, type EventInput, withStore } from '../support/events.js'
import { allInvoices, measure } from '../support/usage.js'

let dataDir: string
let eventsDir: string
beforeAll(() => {
  dataDir = tempDir('usage-periods-data')
  eventsDir = tempDir('usage-periods-events')
})
afterAll(removeTempDirs)

const month = (m: number): Period => ({
  from: new Date(Date.UTC(2026, m - 1, 1)),
  to: new Date(Date.UTC(2026, m, 1)),
})
const SEPTEMBER = month(9)
const OCTOBER = month(10)
const NOVEMBER = month(11)

function charge(
  aggregation: AggregationName,
  property?: string,
  more: Partial<Pick<Charge, 'filters' | 'groupBy'>> = {},
): Charge {
  return {
    model: 'standard',
    unitPrice: new Decimal(1),
    metric: { name: 'm', code: 'ev', aggregation, ...(property && { property }) },
    filters: {},
    groupBy: [],
    ...more,
  }
}

let seq = 0
function ev(
  timestamp: string | number,
  properties: EventInput['properties'] = {},
  more: Partial<EventInput> = {},
): EventInput {
  return { transaction_id: `t${++seq}`, customer: 'c1', code: 'ev', timestamp, properties, ...more }
}

/** Usage rows of customer c1 as plain values: [measure, group, units, events]. */
async function measured(store: Store, charges: Charge[], period: Period = OCTOBER, customer = 'c1') {
  const usage = await measure(store, charges, period, customer)
  return usage
    .sort((a, b) => a.charge - b.charge || (JSON.stringify(a.group) < JSON.stringify(b.group) ? -1 : 1))
    .map((u) => [u.charge, charges[u.charge]!.groupBy.map((g) => u.group[g]), u.units.toFixed(), u.events])
}

describe('the period is half-open, in UTC', () => {
  it('includes an event at exactly `from` and excludes one at exactly `to`, whatever the offset it was sent with', () =>
    withStore(dataDir, async (store) => {
      // Powers of two: the sum tells exactly which events were billed.
      await ingestEvents(store, eventsDir, [
        ev('2026-10-01T00:00:00.000Z', { v: 1 }), // from: in
        ev('2026-09-30T23:59:59.999Z', { v: 2 }), // before: out
        ev('2026-10-31T23:59:59.999Z', { v: 4 }), // last millisecond: in
        ev('2026-11-01T00:00:00.000Z', { v: 8 }), // to: out
        ev('2026-10-01T02:00:00+02:00', { v: 16 }), // from, with an offset: in
        ev('2026-11-01T01:00:00+01:00', { v: 32 }), // to, with an offset: out
        ev(1790812800, { v: 64 }), // from, in Unix seconds: in
      ])
      expect(await measured(store, [charge('sum', 'v'), charge('count')])).toEqual([
        [0, [], '85', 4],
        [1, [], '4', 4],
      ])
      expect(await measured(store, [charge('sum', 'v')], SEPTEMBER)).toEqual([[0, [], '2', 1]])
      expect(await measured(store, [charge('sum', 'v')], NOVEMBER)).toEqual([[0, [], '40', 2]])
    }))
})

describe('the newest copy of an event wins', () => {
  it('bills an event re-sent with its timestamp moved out of the period in the new period only', () =>
    withStore(dataDir, async (store) => {
      const a = ev('2026-10-15T00:00:00Z', { v: 1 })
      const b = ev('2026-10-20T00:00:00Z', { v: 10 })
      await ingestEvents(store, eventsDir, [a, b])
      expect(await measured(store, [charge('sum', 'v')])).toEqual([[0, [], '11', 2]])

      // A second run moves `a` into November and `b` into September.
      const second = await ingestEvents(store, eventsDir, [
        { ...a, timestamp: '2026-11-02T00:00:00Z' },
        { ...b, timestamp: '2026-09-30T12:00:00Z', properties: { v: 100 } },
      ])
      expect(second.alreadyStored).toBe(2)
      expect(await measured(store, [charge('sum', 'v')])).toEqual([])
      expect(await measured(store, [charge('sum', 'v')], NOVEMBER)).toEqual([[0, [], '1', 1]])
      expect(await measured(store, [charge('sum', 'v')], SEPTEMBER)).toEqual([[0, [], '100', 1]])
    }))
})

describe('filters', () => {
  it('keep only events whose property equals one of the values; events without the property are excluded', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-10-02T00:00:00Z', { tokens: 1, model: 'gpt-4o' }),
        ev('2026-10-02T00:00:00Z', { tokens: 2, model: 'gpt-4' }),
        ev('2026-10-02T00:00:00Z', { tokens: 4, model: 'gpt-4o-mini' }),
        ev('2026-10-02T00:00:00Z', { tokens: 8 }),
        ev('2026-10-02T00:00:00Z', { tokens: 16, model: 'GPT-4O' }),
        ev('2026-10-02T00:00:00Z', { tokens: 32, model: '' }),
      ])
      const filtered = charge('sum', 'tokens', { filters: { model: ['gpt-4o', 'gpt-4'] } })
      expect(await measured(store, [filtered])).toEqual([[0, [], '3', 2]])
    }))

  it('must all hold, compare the text of numbers and booleans, and belong to their own charge', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-10-02T00:00:00Z', { tokens: 1, model: 'a', region: 'eu', tier: 1, beta: true }),
        ev('2026-10-02T00:00:00Z', { tokens: 2, model: 'a', region: 'us', tier: 2, beta: false }),
        ev('2026-10-02T00:00:00Z', { tokens: 4, model: 'b', region: 'eu', tier: '1' }),
        ev('2026-10-02T00:00:00Z', { tokens: 8, model: 'b', region: 'us' }),
      ])
      const charges = [
        charge('sum', 'tokens', { filters: { model: ['a'], region: ['eu'] } }),
        charge('sum', 'tokens', { filters: { model: ['b'] } }),
        charge('sum', 'tokens'),
        charge('count', undefined, { filters: { tier: ['1'] } }),
        charge('sum', 'tokens', { filters: { beta: ['true'] } }),
        charge('sum', 'tokens', { filters: { region: ['us'] }, groupBy: ['model'] }),
      ]
      expect(await measured(store, charges)).toEqual([
        [0, [], '1', 1],
        [1, [], '12', 2],
        [2, [], '15', 4],
        [3, [], '2', 2],
        [4, [], '1', 1],
        [5, ['a'], '2', 1],
        [5, ['b'], '8', 1],
      ])
    }))
})

describe('group_by', () => {
  it("measures one row per distinct value, '' where the property is missing", () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ...['us', 'us', 'us', 'eu', 'eu'].map((region, i) =>
          ev('2026-10-03T00:00:00Z', { region, v: 10 ** i }),
        ),
        ev('2026-10-03T00:00:00Z', { v: 7 }),
        ev('2026-11-03T00:00:00Z', { region: 'ap', v: 7 }),
      ])
      const byRegion = charge('sum', 'v', { groupBy: ['region'] })
      expect(await measured(store, [byRegion])).toEqual([
        [0, [''], '7', 1],
        [0, ['eu'], '11000', 2],
        [0, ['us'], '111', 3],
      ])
    }))

  it('groups by several properties at once, in their order', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        ev('2026-10-03T00:00:00Z', { region: 'eu', model: 'b' }),
        ev('2026-10-03T00:00:00Z', { region: 'eu', model: 'a' }),
        ev('2026-10-03T00:00:00Z', { region: 'eu', model: 'a' }),
        ev('2026-10-03T00:00:00Z', { model: 'a' }),
      ])
      expect(await measured(store, [charge('count', undefined, { groupBy: ['region', 'model'] })])).toEqual([
        [0, ['', 'a'], '1', 1],
        [0, ['eu', 'a'], '2', 2],
        [0, ['eu', 'b'], '1', 1],
      ])
    }))
})

describe('customers', () => {
  it('are measured apart, even with the same transaction ids', () =>
    withStore(dataDir, async (store) => {
      await ingestEvents(store, eventsDir, [
        {
          transaction_id: 'tx1',
          customer: 'c1',
          code: 'ev',
          timestamp: '2026-10-05T00:00:00Z',
          properties: { v: 1 },
        },
        {
          transaction_id: 'tx1',
          customer: 'c2',
          code: 'ev',
          timestamp: '2026-10-05T00:00:00Z',
          properties: { v: 20 },
        },
        {
          transaction_id: 'tx2',
          customer: 'c2',
          code: 'ev',
          timestamp: '2026-10-06T00:00:00Z',
          properties: { v: 300 },
        },
      ])
      expect(await measured(store, [charge('sum', 'v')], OCTOBER, 'c1')).toEqual([[0, [], '1', 1]])
      expect(await measured(store, [charge('sum', 'v')], OCTOBER, 'c2')).toEqual([[0, [], '320', 2]])
    }))
})

describe('invoiceAll', () => {
  it('gives every customer the invoice invoiceCustomer gives, bills plan holders without events, and lists the unbilled', () =>
    withStore(dataDir, async (store) => {
      const catalog = await loadCatalog(plansFolder())
      await ingestEvents(store, eventsDir, [
        ev('2026-10-02T00:00:00Z', { tokens: 100, region: 'eu' }, { customer: 'a', code: 'call' }),
        ev('2026-10-03T00:00:00Z', { tokens: 50, region: 'us' }, { customer: 'a', code: 'call' }),
        ev('2026-10-04T00:00:00Z', { tokens: 25 }, { customer: 'a', code: 'call' }),
        ev('2026-09-04T00:00:00Z', { tokens: 999 }, { customer: 'a', code: 'call' }),
        ev('2026-09-20T00:00:00Z', { gb: 40 }, { customer: 'b', code: 'storage' }),
        ev('2026-10-16T12:00:00Z', { gb: 62 }, { customer: 'b', code: 'storage' }), // half of October
        ev('2026-10-05T00:00:00Z', {}, { customer: 'b', code: 'call' }),
        ev('2026-10-05T00:00:00Z', { tokens: 5 }, { customer: 'x', code: 'call' }),
        ev('2026-10-06T00:00:00Z', { gb: 5 }, { customer: 'x', code: 'storage' }),
        ev('2026-09-06T00:00:00Z', { gb: 5 }, { customer: 'y', code: 'storage' }),
      ])
      const run = await allInvoices(store, catalog, { period: OCTOBER })
      expect(run.unbilled).toEqual([{ customer: 'x', events: 2 }])
      const all = run.invoices.map((r) => invoiceJson(r.invoice))
      expect(all.map((i) => i.customer)).toEqual(['a', 'b', 'c'])

      const one = []
      for (const id of ['a', 'b', 'c'])
        one.push(
          invoiceJson((await invoiceCustomer(store, catalog, { customer: id, period: OCTOBER })).invoice),
        )
      expect(all).toEqual(one)

      const [a, b, c] = all
      // a, basic: 10 fixed + 3 calls x 0.50 + tokens by region at 0.01 (25 without a region).
      expect(a!.intervals[0]!.lines.map((l) => [l.type, l.group, l.units, l.amount])).toEqual([
        ['fixed_fee', null, null, '10.00'],
        ['usage', null, '3', '1.50'],
        ['usage', { region: '' }, '25', '0.25'],
        ['usage', { region: 'eu' }, '100', '1.00'],
        ['usage', { region: 'us' }, '50', '0.50'],
      ])
      expect([a!.subtotal, a!.tax, a!.total]).toEqual(['13.25', '2.65', '15.90'])
      // b, storage: 40 GB all month + 62 GB for half of it = 71 GB-months at 2, and a 200 minimum.
      expect(b!.intervals[0]!.lines.map((l) => [l.type, l.units, l.amount])).toEqual([
        ['usage', '71', '142.00'],
        ['minimum_commitment', null, '58.00'],
      ])
      // Its call without tokens is in no charge of its plan: listed as not billed.
      expect(b!.unbilled).toEqual([{ code: 'call', reason: 'no_charge', events: 1 }])
      expect(b!.total).toBe('200.00')
      // c has no events: the fixed fee, and each charge at 0.
      expect(c!.intervals[0]!.lines.map((l) => [l.type, l.group, l.units, l.amount])).toEqual([
        ['fixed_fee', null, null, '10.00'],
        ['usage', null, '0', '0.00'],
        ['usage', {}, '0', '0.00'], // a grouped charge nobody used: one line, no group values
      ])
      expect(c!.total).toBe('12.00')
    }))
})

function plansFolder(): string {
  const dir = tempDir('usage-plans')
  const files: Record<string, string> = {
    'metrics.yaml':
      'calls: { aggregation: count, code: call }\ntokens: { aggregation: sum, property: tokens, code: call }\nstorage_gb: { aggregation: weighted_sum, property: gb, code: storage, recurring: true }\n',
    'basic.yaml': [
      'code: basic\nname: Basic\ncurrency: USD\ninterval: monthly\nfixed_fee: "10"\ncharges:',
      '  - { metric: calls, model: standard, unit_price: "0.50" }',
      '  - { metric: tokens, model: standard, unit_price: "0.01", group_by: [region] }\n',
    ].join('\n'),
    'storage.yaml': [
      'code: storage\nname: Storage\ncurrency: USD\ninterval: monthly\nminimum_commitment: "200"\ncharges:',
      '  - { metric: storage_gb, model: standard, unit_price: "2" }\n',
    ].join('\n'),
    'customers.yaml':
      'a: { plan: basic, tax_rate: "0.20" }\nb: { plan: storage }\nc: { plan: basic, tax_rate: "0.20" }\n',
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
  return dir
}
