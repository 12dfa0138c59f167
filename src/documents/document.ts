// An invoice as a customer receives it, with every text already written: what the HTML template
// and the PDF writer both lay out, so that the two always say the same. Pure: an invoice, its plan
// and the seller's settings in, strings out. Every figure comes from the decimal strings of
// invoiceJson (the JSON invoice), formatted in the seller's locale, never recomputed.
import { Decimal } from '../money/decimal.js'
import type { Invoice, InvoiceLine } from '../invoices/types.js'
import type { Plan } from '../plans/types.js'
import { invoiceJson, prorationText, UNBILLED_REASONS, type InvoiceJson } from '../render/invoice.js'
import { chargeTerms, formatsFor, type Formats } from './charge-terms.js'
import { formatDate } from './format.js'
import { invoiceNumber } from './invoice-number.js'
import type { DocumentSettings, Logo, PageSize } from './seller.js'

export interface InvoiceDocument {
  number: string
  locale: string
  pageSize: PageSize
  /** The issue date, midnight UTC: the PDF's creation date too. */
  issuedOn: Date
  seller?: { name: string; address: string[]; taxId?: string; email?: string; logo?: Logo }
  customer: { name: string; id: string }
  plan: string
  currency: string
  issued: string
  due?: string
  period: string
  sections: DocumentSection[]
  subtotal: string
  taxLabel: string
  tax: string
  total: string
  /** Events of the period no charge billed, one short sentence per code and reason. */
  notBilled: string[]
  paymentTerms?: string
  notes: string[]
}

/** One billing interval of the period: a title only when the period has several or a partial one. */
export interface DocumentSection {
  title?: string
  rows: DocumentRow[]
  /** Shown when the period spans several intervals. */
  subtotal?: string
}

/** A line of the invoice (`line`), or one tier of the line above it (`tier`). */
export interface DocumentRow {
  kind: 'line' | 'tier'
  description: string
  /** Smaller text under the description: the group, the pricing model, a proration. */
  details: string[]
  units: string
  price: string
  amount: string
}

export interface DocumentInput {
  invoice: Invoice
  /** The plan that priced the invoice, for its name and price terms. */
  plan?: Plan
  settings: DocumentSettings
  issuedOn: Date
}

export function invoiceDocument({ invoice, plan, settings, issuedOn }: DocumentInput): InvoiceDocument {
  const json = invoiceJson(invoice)
  const locale = settings.locale
  const f = formatsFor(json.currency, locale)
  const several = json.intervals.length > 1
  const taxPercent = new Decimal(json.tax_rate).times(100).toFixed()
  const due =
    settings.paymentTermsDays === undefined ? undefined : addDays(issuedOn, settings.paymentTermsDays)
  return {
    number: invoiceNumber(json.customer, invoice.period.from, settings.invoicePrefix),
    locale,
    pageSize: settings.pageSize,
    issuedOn,
    ...(settings.seller && { seller: settings.seller }),
    customer: { name: json.customer_name ?? json.customer, id: json.customer },
    plan: plan?.name ?? json.plan,
    currency: json.currency,
    issued: formatDate(issuedOn, locale),
    ...(due && { due: formatDate(due, locale) }),
    period: dateRange(invoice.period.from, invoice.period.to, locale),
    sections: json.intervals.map((interval, i) => ({
      ...((several || interval.proration) && { title: sectionTitle(invoice, i, locale) }),
      rows: interval.lines.flatMap((line, j) => lineRows(line, invoice.intervals[i]!.lines[j]!, plan, f)),
      ...(several && { subtotal: f.money(interval.subtotal) }),
    })),
    subtotal: f.money(json.subtotal),
    taxLabel: `Tax (${f.percent(taxPercent)})`,
    tax: f.money(json.tax),
    total: f.money(json.total),
    notBilled: json.unbilled.map((u) => notBilledText(u, f)),
    ...(settings.paymentTermsDays !== undefined && { paymentTerms: paymentTerms(settings.paymentTermsDays) }),
    notes: settings.notes,
  }
}

type LineJson = InvoiceJson['intervals'][number]['lines'][number]
type TierJson = NonNullable<LineJson['tiers']>[number]

function lineRows(line: LineJson, source: InvoiceLine, plan: Plan | undefined, f: Formats): DocumentRow[] {
  const charge = source.charge === null ? undefined : plan?.charges[source.charge]
  const details = [
    ...(line.group ? [groupText(line.group)] : []),
    ...(line.type === 'usage' && line.tiers ? [`${TIERED[line.model ?? ''] ?? 'tiered'} pricing`] : []),
    ...(line.proration ? [prorationText(line.proration)] : []),
  ]
  const row: DocumentRow = {
    kind: 'line',
    description: lineDescription(line, plan),
    details,
    units: line.units === null ? '' : f.units(line.units),
    price: line.type === 'usage' && charge ? chargeTerms(charge, f) : '',
    amount: f.money(line.amount),
  }
  return [row, ...(line.tiers ?? []).map((t) => tierRow(t, f))]
}

const TIERED: Record<string, string> = {
  graduated: 'graduated',
  volume: 'volume',
  graduated_percentage: 'graduated percentage',
}

function lineDescription(line: LineJson, plan: Plan | undefined): string {
  switch (line.type) {
    case 'fixed_fee':
      return plan ? `${plan.name} plan, fixed fee` : 'Fixed fee'
    case 'usage':
      return line.metric ?? ''
    case 'charge_minimum':
      return `Minimum for ${line.metric}, true-up`
    case 'minimum_commitment':
      return 'Minimum commitment, true-up'
  }
}

/** `region: eu-west-1, model: (none)`. */
function groupText(group: Record<string, string>): string {
  return Object.entries(group)
    .map(([key, value]) => `${key}: ${value === '' ? '(none)' : value}`)
    .join(', ')
}

// A tier's bounds: the lower one is excluded (the previous tier's up_to), the upper one included.
function tierRow(t: TierJson, f: Formats): DocumentRow {
  const range =
    t.up_to === null
      ? t.from === '0'
        ? 'all units'
        : `over ${f.units(t.from)}`
      : t.from === '0'
        ? `up to ${f.units(t.up_to)}`
        : `over ${f.units(t.from)} up to ${f.units(t.up_to)}`
  const price = t.rate !== undefined ? f.percent(t.rate) : f.money(t.unit_price ?? '0')
  const flat = /^0(\.0*)?$/.test(t.flat_fee) ? '' : ` + ${f.money(t.flat_fee)} flat`
  return {
    kind: 'tier',
    description: `Tier ${t.tier}`,
    details: [range],
    units: f.units(t.units),
    price: `${price}${flat}`,
    amount: f.money(t.amount),
  }
}

function sectionTitle(invoice: Invoice, index: number, locale: string): string {
  const interval = invoice.intervals[index]!
  const span = dateRange(interval.from, interval.to, locale)
  return interval.proration ? `${span} (${prorationText(interval.proration)})` : span
}

/** [from, to) as the inclusive dates a person reads: October 1 – 31, 2026. */
export function dateRange(from: Date, to: Date, locale: string): string {
  const last = new Date(Math.max(from.getTime(), to.getTime() - 1))
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).formatRange(from, last)
}

function notBilledText(u: InvoiceJson['unbilled'][number], f: Formats): string {
  const events = `${f.units(String(u.events))} ${u.events === 1 ? 'event' : 'events'}`
  return `${events} with code "${u.code}": ${UNBILLED_REASONS[u.reason]}`
}

function paymentTerms(days: number): string {
  return days === 0 ? 'Payment is due on receipt.' : `Payment is due within ${days} days of the issue date.`
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000)
}
