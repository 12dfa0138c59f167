import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildInvoice } from '../../src/invoices/build.js'
import type { ChargeUsage, Invoice } from '../../src/invoices/types.js'
import { Decimal, minorUnits } from '../../src/money/decimal.js'
import type { BillableMetric, Charge, ChargeModel, Plan } from '../../src/plans/types.js'

const d = (value: string) => new Decimal(value)
const metric = (name: string): BillableMetric => ({ name, code: name, aggregation: 'sum', property: 'value' })
const charge = (name: string, model: ChargeModel, groupBy: string[] = []): Charge => ({
  ...model,
  metric: metric(name),
  filters: {},
  groupBy,
})
const plan = (overrides: Partial<Plan> = {}): Plan => ({
  code: 'pro',
  name: 'Pro',
  currency: 'USD',
  interval: 'monthly',
  fixedFee: d('0'),
  charges: [],
  file: 'plans/pro.yaml',
  ...overrides,
})
const customer = { id: 'acme', name: 'Acme Inc.', plan: 'pro', taxRate: d('0.2') }
const period = { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2024-02-01T00:00:00Z') }
const used = (
  chargeIndex: number,
  units: string,
  group: Record<string, string> = {},
  events = 1,
): ChargeUsage => ({
  charge: chargeIndex,
  group,
  units: d(units),
  events,
})

// The invoice as strings, so that every assertion compares exact decimals.
const summary = (invoice: Invoice) => ({
  lines: invoice.lines.map((l) => [
    l.type,
    l.metric,
    l.group,
    l.units?.toFixed() ?? null,
    l.amount.toFixed(),
  ]),
  subtotal: invoice.subtotal.toFixed(),
  tax: invoice.tax.toFixed(),
  total: invoice.total.toFixed(),
})

const apiCalls = charge('api_calls', { model: 'standard', unitPrice: d('0.001') })
const storage = charge('storage_gb', { model: 'standard', unitPrice: d('0.25') }, ['region', 'tier'])

describe('buildInvoice', () => {
  it('starts with the fixed fee, then one usage line per charge', () => {
    const invoice = buildInvoice({
      customer,
      plan: plan({ fixedFee: d('49'), charges: [apiCalls] }),
      period,
      usage: [used(0, '12345')],
    })
    expect(summary(invoice).lines).toEqual([
      ['fixed_fee', null, null, null, '49'],
      ['usage', 'api_calls', null, '12345', '12.35'],
    ])
    expect(invoice.lines[1]!.model).toBe('standard')
    expect(invoice.lines[0]!.model).toBeNull()
  })

  it('has no fixed fee line when the plan has no fixed fee', () => {
    const invoice = buildInvoice({ customer, plan: plan({ charges: [apiCalls] }), period, usage: [] })
    expect(invoice.lines.map((l) => l.type)).toEqual(['usage'])
  })

  it('orders lines by charge, then by group values, whatever order the usage comes in', () => {
    const invoice = buildInvoice({
      customer,
      plan: plan({ charges: [apiCalls, storage] }),
      period,
      usage: [
        used(1, '10', { region: 'us', tier: 'standard' }),
        used(1, '20', { region: 'eu', tier: 'standard' }),
        used(1, '30', { region: 'us', tier: 'archive' }),
        used(0, '1000'),
      ],
    })
    expect(summary(invoice).lines).toEqual([
      ['usage', 'api_calls', null, '1000', '1'],
      ['usage', 'storage_gb', { region: 'eu', tier: 'standard' }, '20', '5'],
      ['usage', 'storage_gb', { region: 'us', tier: 'archive' }, '30', '7.5'],
      ['usage', 'storage_gb', { region: 'us', tier: 'standard' }, '10', '2.5'],
    ])
  })

  it('shows a charge without usage at 0 units, with an empty group when it has group_by', () => {
    const graduated = charge('seats', {
      model: 'graduated',
      tiers: [
        { upTo: d('10'), unitPrice: d('5'), flatFee: d('20') },
        { unitPrice: d('4'), flatFee: d('0') },
      ],
    })
    const invoice = buildInvoice({
      customer,
      plan: plan({ charges: [apiCalls, storage, graduated] }),
      period,
      usage: [],
    })
    expect(summary(invoice).lines).toEqual([
      ['usage', 'api_calls', null, '0', '0'],
      ['usage', 'storage_gb', {}, '0', '0'],
      ['usage', 'seats', null, '0', '0'],
    ])
  })

  it('ignores usage that belongs to no charge of the plan', () => {
    const invoice = buildInvoice({
      customer,
      plan: plan({ charges: [apiCalls] }),
      period,
      usage: [used(3, '5')],
    })
    expect(summary(invoice).lines).toEqual([['usage', 'api_calls', null, '0', '0']])
  })

  it('adds a true-up line when the lines fall below the minimum commitment', () => {
    const invoice = buildInvoice({
      customer,
      plan: plan({ fixedFee: d('10'), minimumCommitment: d('100'), charges: [apiCalls] }),
      period,
      usage: [used(0, '50004')],
    })
    expect(summary(invoice)).toEqual({
      lines: [
        ['fixed_fee', null, null, null, '10'],
        ['usage', 'api_calls', null, '50004', '50'],
        ['true_up', null, null, null, '40'],
      ],
      subtotal: '100',
      tax: '20',
      total: '120',
    })
  })

  it('adds no true-up line at or above the minimum commitment', () => {
    const at = buildInvoice({
      customer,
      plan: plan({ minimumCommitment: d('50'), charges: [apiCalls] }),
      period,
      usage: [used(0, '50000')],
    })
    const above = buildInvoice({
      customer,
      plan: plan({ minimumCommitment: d('50'), charges: [apiCalls] }),
      period,
      usage: [used(0, '50006')],
    })
    expect(at.lines.map((l) => l.type)).toEqual(['usage'])
    expect(above.lines.map((l) => l.type)).toEqual(['usage'])
  })

  it('rounds each line once, then the tax once, on the subtotal', () => {
    const half = charge('half_cents', { model: 'standard', unitPrice: d('0.005') })
    const invoice = buildInvoice({
      customer: { id: 'globex', taxRate: d('0.075') },
      plan: plan({ fixedFee: d('10'), charges: [half, half] }),
      period,
      usage: [used(0, '1'), used(1, '1')],
    })
    // Each 0.005 line rounds to 0.01: the subtotal is 10.02, not a rounded 10.01.
    expect(summary(invoice)).toMatchObject({ subtotal: '10.02', tax: '0.75', total: '10.77' })
  })

  it('rounds to the currency minor unit: JPY has none, BHD three', () => {
    const yen = buildInvoice({
      customer,
      plan: plan({ currency: 'JPY', charges: [charge('calls', { model: 'standard', unitPrice: d('0.5') })] }),
      period,
      usage: [used(0, '3')],
    })
    expect(summary(yen)).toMatchObject({ lines: [['usage', 'calls', null, '3', '2']], tax: '0', total: '2' })

    const dinar = buildInvoice({
      customer,
      plan: plan({
        currency: 'BHD',
        charges: [charge('calls', { model: 'standard', unitPrice: d('0.0125') })],
      }),
      period,
      usage: [used(0, '3')],
    })
    expect(summary(dinar)).toMatchObject({ subtotal: '0.038', tax: '0.008', total: '0.046' })
  })

  it('carries the customer, plan, currency, period and tax rate', () => {
    const invoice = buildInvoice({ customer, plan: plan(), period, usage: [] })
    expect(invoice).toMatchObject({
      customer: 'acme',
      customerName: 'Acme Inc.',
      plan: 'pro',
      currency: 'USD',
    })
    expect(invoice.period).toBe(period)
    expect(invoice.taxRate.toFixed()).toBe('0.2')
    expect(invoice.lines).toEqual([])
    expect(invoice.total.toFixed()).toBe('0')
  })

  it('leaves out the customer name when the customer has none', () => {
    const invoice = buildInvoice({
      customer: { id: 'anon', taxRate: d('0') },
      plan: plan(),
      period,
      usage: [],
    })
    expect('customerName' in invoice).toBe(false)
  })
})

describe('amounts are rounded exactly once', () => {
  const decimal = (max: number, scale: number) =>
    fc.integer({ min: 0, max }).map((n) => new Decimal(n).div(10 ** scale))

  it('makes the total the sum of the once-rounded lines plus the once-rounded tax', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('USD', 'JPY', 'BHD'),
        fc.array(fc.tuple(decimal(1_000_000, 3), decimal(100_000, 5)), { minLength: 1, maxLength: 6 }),
        decimal(300, 3),
        decimal(100_000, 2),
        (currency, priced, taxRate, fixedFee) => {
          const charges = priced.map(([, price], i) =>
            charge(`m${i}`, { model: 'standard', unitPrice: price }),
          )
          const usage = priced.map(([units], i) => used(i, units.toFixed()))
          const invoice = buildInvoice({
            customer: { id: 'c', taxRate },
            plan: plan({ currency, fixedFee, charges }),
            period,
            usage,
          })

          // Reference: round each exact amount once, half-up, straight from the unrounded value.
          const digits = minorUnits(currency)
          const once = (x: Decimal) => x.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP)
          const exact = [
            ...(fixedFee.gt(0) ? [fixedFee] : []),
            ...priced.map(([units, price]) => units.times(price)),
          ]
          const lines = exact.map(once)
          const subtotal = lines.reduce((sum, x) => sum.plus(x), new Decimal(0))
          const tax = once(subtotal.times(taxRate))

          expect(invoice.lines.map((l) => l.amount.toFixed())).toEqual(lines.map((x) => x.toFixed()))
          expect(invoice.subtotal.toFixed()).toBe(subtotal.toFixed())
          expect(invoice.tax.toFixed()).toBe(tax.toFixed())
          expect(invoice.total.toFixed()).toBe(subtotal.plus(tax).toFixed())
          expect(invoice.lines.every((l) => l.amount.decimalPlaces() <= digits)).toBe(true)
        },
      ),
    )
  })
})
