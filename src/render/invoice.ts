// How invoices look: a table for people, one JSON document for programs. Amounts always carry the
// currency's minor digits ("12.50"); units are exact, shown to at most 12 decimals.
import Table from 'cli-table3'
import { createHash } from 'node:crypto'
import { Decimal, formatDecimal, minorUnits } from '../money/decimal.js'
import type { Invoice, InvoiceLine } from '../invoices/types.js'

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
    plan: invoice.plan,
    currency: c,
    period: { from: invoice.period.from.toISOString(), to: invoice.period.to.toISOString() },
    lines: invoice.lines.map((l) => ({
      type: l.type,
      metric: l.metric,
      model: l.model,
      group: l.group,
      units: l.units === null ? null : units(l.units),
      amount: money(l.amount, c),
    })),
    subtotal: money(invoice.subtotal, c),
    tax: money(invoice.tax, c),
    total: money(invoice.total, c),
  }
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
  for (const line of invoice.lines) table.push(lineRow(line, c))
  const rate = invoice.taxRate.times(100)
  table.push(
    [{ colSpan: 4, content: 'Subtotal' }, money(invoice.subtotal, c)],
    [{ colSpan: 4, content: `Tax (${formatDecimal(rate)}%)` }, money(invoice.tax, c)],
    [{ colSpan: 4, content: 'Total' }, money(invoice.total, c)],
  )
  return `${head.join('\n')}\n${table.toString()}`
}

function lineRow(line: InvoiceLine, currency: string): string[] {
  const label =
    line.type === 'fixed_fee'
      ? 'Fixed fee'
      : line.type === 'true_up'
        ? 'Minimum commitment true-up'
        : line.metric!
  const group = line.group
    ? Object.entries(line.group)
        .map(([k, v]) => `${k}=${v === '' ? '(none)' : v}`)
        .join(', ')
    : ''
  return [
    label,
    line.model ?? '',
    group,
    line.units === null ? '' : units(line.units),
    money(line.amount, currency),
  ]
}

export function invoiceSummaryTable(invoices: Invoice[]): string {
  const table = new Table({
    head: ['Customer', 'Plan', 'Currency', 'Subtotal', 'Tax', 'Total'],
    colAligns: ['left', 'left', 'left', 'right', 'right', 'right'],
    style: { head: [], border: [], compact: true },
  })
  for (const i of invoices) {
    table.push([
      i.customer,
      i.plan,
      i.currency,
      money(i.subtotal, i.currency),
      money(i.tax, i.currency),
      money(i.total, i.currency),
    ])
  }
  return table.toString()
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
