// Reading rendered invoices back, for tests: the HTML parsed into its rows and totals (not grepped),
// and what each cell should say, worked out from the JSON invoice (invoiceJson) alone.
import { parse, type HTMLElement } from 'node-html-parser'
import { formatMoney, formatUnits } from '../../src/documents/format.js'
import type { InvoiceJson } from '../../src/render/invoice.js'

export interface Cells {
  kind: string
  units: string
  amount: string
}

export interface HtmlInvoice {
  root: HTMLElement
  rows: (Cells & { description: string; details: string[]; price: string })[]
  sections: { title?: string; subtotal?: string }[]
  totals: { subtotal: string; taxLabel: string; tax: string; total: string }
  notBilled: string[]
}

const text = (el: HTMLElement | null | undefined) => el?.textContent.trim() ?? ''

export function readHtml(html: string): HtmlInvoice {
  const root = parse(html)
  const rows = root.querySelectorAll('table.lines tbody tr.line, table.lines tbody tr.tier').map((tr) => {
    const description = tr.querySelector('td.description')!
    const details = description.querySelectorAll('.details').map(text)
    const own = description.childNodes.filter((n) => n.nodeType === 3).map((n) => n.textContent)
    return {
      kind: tr.classList.contains('tier') ? 'tier' : 'line',
      description: own.join('').trim(),
      details,
      units: text(tr.querySelector('td.units')),
      price: text(tr.querySelector('td.price')),
      amount: text(tr.querySelector('td.amount')),
    }
  })
  const sections = root.querySelectorAll('table.lines tbody.section').map((tbody) => {
    const title = tbody.querySelector('tr.interval th')
    const subtotal = tbody.querySelector('tr.interval-subtotal td.amount')
    return { ...(title && { title: text(title) }), ...(subtotal && { subtotal: text(subtotal) }) }
  })
  const totals = {
    subtotal: text(root.querySelector('table.totals tr.subtotal td.amount')),
    taxLabel: text(root.querySelector('table.totals tr.tax td')),
    tax: text(root.querySelector('table.totals tr.tax td.amount')),
    total: text(root.querySelector('table.totals tr.total td.amount')),
  }
  const notBilled = root.querySelectorAll('.not-billed li').map(text)
  return { root, rows, sections, totals, notBilled }
}

/** The rows an invoice must show, in order: each line, then each of its tiers. */
export function expectedCells(json: InvoiceJson, locale: string): Cells[] {
  const money = (amount: string) => formatMoney(amount, json.currency, locale)
  return json.intervals.flatMap((interval) =>
    interval.lines.flatMap((line) => [
      {
        kind: 'line',
        units: line.units === null ? '' : formatUnits(line.units, locale),
        amount: money(line.amount),
      },
      ...(line.tiers ?? []).map((t) => ({
        kind: 'tier',
        units: formatUnits(t.units, locale),
        amount: money(t.amount),
      })),
    ]),
  )
}

/** Every figure of the invoice as the document writes it: amounts, units, subtotals, totals. */
export function expectedFigures(json: InvoiceJson, locale: string): string[] {
  const money = (amount: string) => formatMoney(amount, json.currency, locale)
  return [
    ...expectedCells(json, locale).flatMap((c) => [c.units, c.amount]),
    ...(json.intervals.length > 1 ? json.intervals.map((i) => money(i.subtotal)) : []),
    money(json.subtotal),
    money(json.tax),
    money(json.total),
  ].filter((s) => s !== '')
}
