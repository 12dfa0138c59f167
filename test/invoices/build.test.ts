import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildInvoice, type InvoiceInput } from '../../src/invoices/build.js'
import { intervalsOf } from '../../src/invoices/intervals.js'
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

/** An invoice for the whole of January: one interval of a monthly plan. */
const invoiceOf = (input: Omit<InvoiceInput, 'intervals'> & { usage: ChargeUsage[] }) =>
  buildInvoice({
    ...input,
    intervals: intervalsOf(input.period, input.plan.interval).map((interval) => ({
      interval,
      usage: input.usage,
    })),
  })
const linesOf = (invoice: Invoice) => invoice.intervals.flatMap((i) => i.lines)

// The invoice as strings, so that every assertion compares exact decimals.
const summary = (invoice: Invoice) => ({
  lines: linesOf(invoice).map((l) => [
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
    const invoice = invoiceOf({
      customer,
      plan: plan({ fixedFee: d('49'), charges: [apiCalls] }),
      period,
      usage: [used(0, '12345')],
    })
    expect(summary(invoice).lines).toEqual([
      ['fixed_fee', null, null, null, '49'],
      ['usage', 'api_calls', null, '12345', '12.35'],
    ])
    expect(linesOf(invoice)[1]!.model).toBe('standard')
    expect(linesOf(invoice)[0]!.model).toBeNull()
  })

  it('has no fixed fee line when the plan has no fixed fee', () => {
    const invoice = invoiceOf({ customer, plan: plan({ charges: [apiCalls] }), period, usage: [] })
    expect(linesOf(invoice).map((l) => l.type)).toEqual(['usage'])
  })

  it('orders lines by charge, then by group values, whatever order the usage comes in', () => {
    const invoice = invoiceOf({
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

  it("shows a charge without usage at 0 units, with an empty group when it has group_by (a first tier's flat fee is due even then)", () => {
    const graduated = charge('seats', {
      model: 'graduated',
      tiers: [
        { upTo: d('10'), unitPrice: d('5'), flatFee: d('20') },
        { unitPrice: d('4'), flatFee: d('0') },
      ],
    })
    const invoice = invoiceOf({
      customer,
      plan: plan({ charges: [apiCalls, storage, graduated] }),
      period,
      usage: [],
    })
    expect(summary(invoice).lines).toEqual([
      ['usage', 'api_calls', null, '0', '0'],
      ['usage', 'storage_gb', {}, '0', '0'],
      ['usage', 'seats', null, '0', '20'],
    ])
  })

  it('ignores usage that belongs to no charge of the plan', () => {
    const invoice = invoiceOf({
      customer,
      plan: plan({ charges: [apiCalls] }),
      period,
      usage: [used(3, '5')],
    })
    expect(summary(invoice).lines).toEqual([['usage', 'api_calls', null, '0', '0']])
  })

  it('adds a true-up line when the lines fall below the minimum commitment', () => {
    const invoice = invoiceOf({
      customer,
      plan: plan({ fixedFee: d('10'), minimumCommitment: d('100'), charges: [apiCalls] }),
      period,
      usage: [used(0, '50004')],
    })
    expect(summary(invoice)).toEqual({
      lines: [
        ['fixed_fee', null, null, null, '10'],
        ['usage', 'api_calls', null, '50004', '50'],
        ['minimum_commitment', null, null, null, '40'],
      ],
      subtotal: '100',
      tax: '20',
      total: '120',
    })
  })

  it('adds no true-up line at or above the minimum commitment', () => {
    const at = invoiceOf({
      customer,
      plan: plan({ minimumCommitment: d('50'), charges: [apiCalls] }),
      period,
      usage: [used(0, '50000')],
    })
    const above = invoiceOf({
      customer,
      plan: plan({ minimumCommitment: d('50'), charges: [apiCalls] }),
      period,
      usage: [used(0, '50006')],
    })
    expect(linesOf(at).map((l) => l.type)).toEqual(['usage'])
    expect(linesOf(above).map((l) => l.type)).toEqual(['usage'])
  })

  it('rounds each line once, then the tax once, on the subtotal', () => {
    const half = charge('half_cents', { model: 'standard', unitPrice: d('0.005') })
    const invoice = invoiceOf({
      customer: { id: 'globex', taxRate: d('0.075') },
      plan: plan({ fixedFee: d('10'), charges: [half, half] }),
      period,
      usage: [used(0, '1'), used(1, '1')],
    })
    // Each 0.005 line rounds to 0.01: the subtotal is 10.02, not a rounded 10.01.
    expect(summary(invoice)).toMatchObject({ subtotal: '10.02', tax: '0.75', total: '10.77' })
  })

  it('rounds to the currency minor unit: JPY has none, BHD three', () => {
    const yen = invoiceOf({
      customer,
      plan: plan({ currency: 'JPY', charges: [charge('calls', { model: 'standard', unitPrice: d('0.5') })] }),
      period,
      usage: [used(0, '3')],
    })
    expect(summary(yen)).toMatchObject({ lines: [['usage', 'calls', null, '3', '2']], tax: '0', total: '2' })

    const dinar = invoiceOf({
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
    const invoice = invoiceOf({ customer, plan: plan(), period, usage: [] })
    expect(invoice).toMatchObject({
      customer: 'acme',
      customerName: 'Acme Inc.',
      plan: 'pro',
      currency: 'USD',
    })
    expect(invoice.period).toBe(period)
    expect(invoice.taxRate.toFixed()).toBe('0.2')
    expect(linesOf(invoice)).toEqual([])
    expect(invoice.intervals).toHaveLength(1)
    expect(invoice.total.toFixed()).toBe('0')
  })

  it('leaves out the customer name when the customer has none', () => {
    const invoice = invoiceOf({
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
          const invoice = invoiceOf({
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

          expect(linesOf(invoice).map((l) => l.amount.toFixed())).toEqual(lines.map((x) => x.toFixed()))
          expect(invoice.subtotal.toFixed()).toBe(subtotal.toFixed())
          expect(invoice.tax.toFixed()).toBe(tax.toFixed())
          expect(invoice.total.toFixed()).toBe(subtotal.plus(tax).toFixed())
          expect(linesOf(invoice).every((l) => l.amount.decimalPlaces() <= digits)).toBe(true)
        },
      ),
    )
  })
})

describe("interval by interval: a period is billed in the plan's own intervals", () => {
  const quarter = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') }
  const tiered = charge('calls', {
    model: 'graduated',
    tiers: [
      { upTo: d('100'), unitPrice: d('0'), flatFee: d('0') },
      { unitPrice: d('1'), flatFee: d('0') },
    ],
  })
  const monthly = plan({ fixedFee: d('30'), minimumCommitment: d('50'), charges: [tiered] })
  const bill = (p: Plan, period: { from: Date; to: Date }, units: string[]) =>
    buildInvoice({
      customer,
      plan: p,
      period,
      intervals: intervalsOf(period, p.interval).map((interval, k) => ({
        interval,
        usage: [used(0, units[k] ?? '0')],
      })),
    })

  it('a quarter on a monthly plan: three fixed fees, three minimums, tiers per month', () => {
    const invoice = bill(monthly, quarter, ['150', '50', '300'])
    expect(invoice.intervals.map((i) => [i.from.toISOString().slice(0, 10), i.proration])).toEqual([
      ['2026-10-01', null],
      ['2026-11-01', null],
      ['2026-12-01', null],
    ])
    // Each month's first 100 calls are free: 50 + 0 + 200 paid, not the quarter's 400 above 100.
    expect(invoice.intervals.map((i) => i.lines.map((l) => [l.type, l.amount.toFixed()]))).toEqual([
      [
        ['fixed_fee', '30'],
        ['usage', '50'],
      ],
      [
        ['fixed_fee', '30'],
        ['usage', '0'],
        ['minimum_commitment', '20'],
      ],
      [
        ['fixed_fee', '30'],
        ['usage', '200'],
      ],
    ])
    expect(invoice.intervals.map((i) => i.subtotal.toFixed())).toEqual(['80', '50', '230'])
    expect(invoice.subtotal.toFixed()).toBe('360')
  })

  it('part of an interval prorates the fixed fee and the minimum commitment by days (15/31), not the usage', () => {
    const half = { from: new Date('2026-10-17T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }
    const invoice = bill(monthly, half, ['110'])
    const [october] = invoice.intervals
    expect(october!.proration).toEqual({ days: 15, of: 31 })
    expect(october!.lines.map((l) => [l.type, l.amount.toFixed(), l.proration])).toEqual([
      ['fixed_fee', '14.52', { days: 15, of: 31 }], // 30 x 15/31 = 14.516...
      ['usage', '10', undefined], // the 110 calls of the part, priced as they are
      // 50 x 15/31 = 24.19 (rounded first, as Lago), less the lines' 24.52: nothing to make up
    ])
  })

  it('a day begun counts whole, as Lago bills days', () => {
    const period = { from: new Date('2026-10-17T12:00:00Z'), to: new Date('2026-10-24T00:00:01Z') }
    const [part] = intervalsOf(period, 'monthly')
    expect(part!.proration).toEqual({ days: 8, of: 31 })
  })

  it("a week on a monthly plan bills a part of the month, not a whole month's fee", () => {
    const week = { from: new Date('2026-10-05T00:00:00Z'), to: new Date('2026-10-12T00:00:00Z') }
    const invoice = bill(plan({ fixedFee: d('31') }), week, [])
    expect(linesOf(invoice).map((l) => [l.type, l.amount.toFixed()])).toEqual([['fixed_fee', '7']])
  })

  it('a charge minimum (min_amount) adds a true-up for that charge when its lines fall short, prorated too', () => {
    const minimum = { ...charge('storage', { model: 'standard', unitPrice: d('1') }), minAmount: d('31') }
    const p = plan({ charges: [minimum] })
    const whole = bill(p, { from: new Date('2026-10-01Z'), to: new Date('2026-11-01Z') }, ['20.40'])
    expect(linesOf(whole).map((l) => [l.type, l.metric, l.amount.toFixed()])).toEqual([
      ['usage', 'storage', '20.4'],
      ['charge_minimum', 'storage', '10.6'],
    ])
    const part = bill(p, { from: new Date('2026-10-01Z'), to: new Date('2026-10-11Z') }, ['2'])
    // 31 x 10/31 = 10, less the 2 used.
    expect(linesOf(part).map((l) => [l.type, l.amount.toFixed(), l.proration])).toEqual([
      ['usage', '2', undefined],
      ['charge_minimum', '8', { days: 10, of: 31 }],
    ])
    const enough = bill(p, { from: new Date('2026-10-01Z'), to: new Date('2026-11-01Z') }, ['31'])
    expect(linesOf(enough).map((l) => l.type)).toEqual(['usage'])
  })

  it("the minimum commitment counts the charge minimums' true-ups among the lines", () => {
    const minimum = { ...charge('storage', { model: 'standard', unitPrice: d('1') }), minAmount: d('40') }
    const invoice = bill(plan({ minimumCommitment: d('50'), charges: [minimum] }), quarter, ['10'])
    expect(invoice.intervals[0]!.lines.map((l) => [l.type, l.amount.toFixed()])).toEqual([
      ['usage', '10'],
      ['charge_minimum', '30'],
      ['minimum_commitment', '10'],
    ])
  })

  it("rounds a metric's units before pricing when the metric says so (Lago's rounding_function)", () => {
    const rounded = charge('gb', { model: 'standard', unitPrice: d('1') })
    rounded.metric = { ...rounded.metric, rounding: { function: 'ceil', precision: 0 } }
    const invoice = invoiceOf({
      customer,
      plan: plan({ charges: [rounded] }),
      period,
      usage: [used(0, '2.01')],
    })
    expect(summary(invoice).lines).toEqual([['usage', 'gb', null, '3', '3']])
  })
})
