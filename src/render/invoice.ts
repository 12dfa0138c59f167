// How invoices look: a table for people, one JSON document for programs. Amounts always carry the
// currency's minor digits ("12.50"); units are exact, shown to at most 12 decimals; the parts of a
// tiered line are exact too, so that they add up to the line before its one rounding.
import Table from 'cli-table3'
import { createHash } from 'node:crypto'
import { Decimal, formatDecimal, minorUnits } from '../money/decimal.js'
import type { Invoice, InvoiceInterval, InvoiceLine, UnbilledEvents } from '../invoices/types.js'
import type { Proration } from '../invoices/intervals.js'
import type { TierLine } from '../pricing/models/index.js'
import { longTable } from './long-table.js'

const UNIT_DECIMALS = 12

export function money(amount: Decimal, currency: string): string {
  return formatDecimal(amount, minorUnits(currency))
}

export function units(value: Decimal): string {
  return formatDecimal(value.toDecimalPlaces(UNIT_DECIMALS, Decimal.ROUND_HALF_UP))
}

export function invoiceJson(invoice: Invoice) {
  const c = invoice.currency
  return {
    customer: invoice.customer,
    customer_name: invoice.customerName ?? null,
    plan: invoice.plan,
    currency: c,
    period: { from: invoice.period.from.toISOString(), to: invoice.period.to.toISOString() },
    intervals: invoice.intervals.map((i) => ({
      from: i.from.toISOString(),
      to: i.to.toISOString(),
      proration: i.proration,
      lines: i.lines.map((l) => lineJson(l, c)),
      subtotal: money(i.subtotal, c),
    })),
    subtotal: money(invoice.subtotal, c),
    tax_rate: formatDecimal(invoice.taxRate),
    tax: money(invoice.tax, c),
    total: money(invoice.total, c),
    unbilled: invoice.unbilled,
  }
}

export type InvoiceJson = ReturnType<typeof invoiceJson>

function lineJson(l: InvoiceLine, currency: string) {
  return {
    type: l.type,
    metric: l.metric,
    model: l.model,
    group: l.group,
    units: l.units === null ? null : units(l.units),
    amount: money(l.amount, currency),
    ...(l.tiers && { tiers: l.tiers.map((t) => tierJson(t, currency)) }),
    ...(l.proration && { proration: l.proration }),
  }
}

function tierJson(t: TierLine, currency: string) {
  return {
    tier: t.tier,
    from: units(t.from),
    up_to: t.upTo === null ? null : units(t.upTo),
    units: units(t.units),
    ...(t.unitPrice !== undefined && { unit_price: formatDecimal(t.unitPrice) }),
    ...(t.rate !== undefined && { rate: formatDecimal(t.rate) }),
    flat_fee: money(t.flatFee, currency),
    amount: formatDecimal(t.amount, minorUnits(currency)),
  }
}

/** `prorated 15/31 days`. */
export function prorationText(p: Proration): string {
  return `prorated ${p.days}/${p.of} days`
}

const LABELS: Record<InvoiceLine['type'], string> = {
  fixed_fee: 'Fixed fee',
  usage: '',
  charge_minimum: 'Minimum of',
  minimum_commitment: 'Minimum commitment true-up',
}

export const UNBILLED_REASONS: Record<UnbilledEvents['reason'], string> = {
  no_charge: 'no charge of the plan reads this code',
  filters: 'no charge filter matched the event',
  missing_property: 'the property the charge reads is missing',
  not_a_number: 'the property the charge reads is not a number',
}

export function invoiceTable(invoice: Invoice): string {
  const c = invoice.currency
  const who = invoice.customerName ? `${invoice.customerName} (${invoice.customer})` : invoice.customer
  const head = [
    `Invoice for ${who}`,
    `Plan ${invoice.plan}, ${c}, ${invoice.period.from.toISOString()} .. ${invoice.period.to.toISOString()} (end excluded)`,
  ]
  const table = new Table({
    head: ['Charge', 'Model', 'Group', 'Units', `Amount (${c})`],
    colAligns: ['left', 'left', 'left', 'right', 'right'],
    style: { head: [], border: [], compact: true },
  })
  const several = invoice.intervals.length > 1
  for (const interval of invoice.intervals) {
    if (several || interval.proration) table.push([{ colSpan: 5, content: intervalTitle(interval) }])
    for (const line of interval.lines) {
      table.push(lineRow(line, c))
      for (const t of line.tiers ?? []) table.push(tierRow(t, c))
    }
    if (several) table.push([{ colSpan: 4, content: '  Interval subtotal' }, money(interval.subtotal, c)])
  }
  const rate = invoice.taxRate.times(100)
  table.push(
    [{ colSpan: 4, content: 'Subtotal' }, money(invoice.subtotal, c)],
    [{ colSpan: 4, content: `Tax (${formatDecimal(rate)}%)` }, money(invoice.tax, c)],
    [{ colSpan: 4, content: 'Total' }, money(invoice.total, c)],
  )
  const notBilled = invoice.unbilled.map(
    (u) => `  ${u.events.toLocaleString('en-US')} event(s) of "${u.code}": ${UNBILLED_REASONS[u.reason]}`,
  )
  const tail = notBilled.length ? `\nNot billed\n${notBilled.join('\n')}` : ''
  return `${head.join('\n')}\n${table.toString()}${tail}`
}

function intervalTitle(i: InvoiceInterval): string {
  const span = `${i.from.toISOString().slice(0, 10)} .. ${i.to.toISOString().slice(0, 10)}`
  return i.proration ? `${span} (${prorationText(i.proration)})` : span
}

function lineRow(line: InvoiceLine, currency: string): string[] {
  const label =
    line.type === 'usage'
      ? line.metric!
      : line.type === 'charge_minimum'
        ? `${LABELS.charge_minimum} ${line.metric}`
        : LABELS[line.type]
  const group = line.group
    ? Object.entries(line.group)
        .map(([k, v]) => `${k}=${v === '' ? '(none)' : v}`)
        .join(', ')
    : ''
  const note = line.proration ? ` (${prorationText(line.proration)})` : ''
  return [
    `${label}${note}`,
    line.model ?? '',
    group,
    line.units === null ? '' : units(line.units),
    money(line.amount, currency),
  ]
}

function tierRow(t: TierLine, currency: string): string[] {
  const range = t.upTo === null ? `above ${units(t.from)}` : `${units(t.from)} - ${units(t.upTo)}`
  const price = t.rate !== undefined ? `${formatDecimal(t.rate)} %` : `x ${formatDecimal(t.unitPrice!)}`
  const flat = t.flatFee.isZero() ? '' : ` + ${money(t.flatFee, currency)}`
  return [
    `  tier ${t.tier}: ${range}`,
    `${price}${flat}`,
    '',
    units(t.units),
    formatDecimal(t.amount, minorUnits(currency)),
  ]
}

export function invoiceSummaryTable(invoices: Iterable<Invoice>): string {
  const rows: string[][] = []
  for (const i of invoices) {
    const c = i.currency
    rows.push([i.customer, i.plan, c, money(i.subtotal, c), money(i.tax, c), money(i.total, c)])
  }
  return longTable(['Customer', 'Plan', 'Currency', 'Subtotal', 'Tax', 'Total'], rows, [
    'left',
    'left',
    'left',
    'right',
    'right',
    'right',
  ])
}

/**
 * A file name for a customer's invoice that any customer id maps to safely and uniquely, on any file
 * system: a short id of lowercase letters, digits, `.`, `_` and `-` is its own name; any other gets
 * a readable prefix and a hash of the whole id after a `~` (which a plain name never holds), so that
 * `Acme` and `acme` differ on a case-insensitive disk and a 1,000-character id still fits 255 bytes.
 */
export function invoiceFileName(customer: string, extension = 'json'): string {
  if (/^[a-z0-9_-][a-z0-9._-]{0,99}$/.test(customer)) return `${customer}.${extension}`
  const prefix = customer
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[.]+/, '')
    .toLowerCase()
    .slice(0, 60)
  const hash = createHash('sha256').update(customer).digest('hex').slice(0, 20)
  return `${prefix}~${hash}.${extension}`
}
