// `invoice --all`: invoices handed out one at a time, written as they come (files, one JSON document
// on stdout, or a summary table), so that none is held after it is written.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { InvoiceRun } from '../invoices/invoice.js'
import type { Invoice } from '../invoices/types.js'
import { invoiceFileName, invoiceJson, invoiceSummaryTable } from './invoice.js'

export interface InvoiceRunOutput {
  /** Print one JSON document on stdout instead of the summary table. */
  json: boolean
  /** Also write one file per invoice into this folder. */
  out?: string
  /** The file's extension and its bytes, for one invoice (default: the JSON invoice). */
  document?: { extension: string; render(invoice: Invoice): Promise<Uint8Array | string> }
  write(text: string): void
  /** A warning, without its `warning: ` prefix. */
  warn(message: string): void
}

export interface InvoiceRunTotals {
  invoices: number
  written: number
}

export async function writeInvoiceRun(run: InvoiceRun, given: InvoiceRunOutput): Promise<InvoiceRunTotals> {
  const buffered = bufferedWrite(given.write)
  try {
    return await writeRun(run, { ...given, write: buffered.write })
  } finally {
    buffered.flush()
  }
}

/**
 * Text written in chunks of about WRITE_CHUNK characters: one write per invoice (10,000 of them at
 * `invoice --all` on 10,000 customers) cost 0.3-0.4 s of the main thread, stdout being written
 * synchronously to files and pipes.
 */
const WRITE_CHUNK = 1 << 18

function bufferedWrite(write: (text: string) => void) {
  let pending: string[] = []
  let size = 0
  const flush = () => {
    if (pending.length > 0) write(pending.join(''))
    pending = []
    size = 0
  }
  return {
    write(text: string) {
      pending.push(text)
      size += text.length
      if (size >= WRITE_CHUNK) flush()
    },
    flush,
  }
}

async function writeRun(run: InvoiceRun, output: InvoiceRunOutput): Promise<InvoiceRunTotals> {
  const { json, out } = output
  if (out) mkdirSync(out, { recursive: true })
  const summary: Invoice[] = []
  const totals: InvoiceRunTotals = { invoices: 0, written: 0 }
  if (json) output.write(`{"period":${JSON.stringify(periodJson(run))},"invoices":[`)
  for await (const { invoice, warnings } of run.invoices) {
    for (const w of warnings) output.warn(w)
    if (out) {
      const document = output.document
      const bytes = document
        ? await document.render(invoice)
        : `${JSON.stringify(invoiceJson(invoice), null, 2)}\n`
      writeFileSync(path.join(out, invoiceFileName(invoice.customer, document?.extension)), bytes)
      totals.written++
    }
    if (json) output.write(`${totals.invoices > 0 ? ',' : ''}${JSON.stringify(invoiceJson(invoice))}`)
    else summary.push(lightweight(invoice))
    totals.invoices++
  }
  if (json) output.write(`],"customers_without_plan":${JSON.stringify(run.unbilled)}}\n`)
  else {
    output.write(
      `${totals.invoices} invoice(s) for ${run.period.from.toISOString()} .. ${run.period.to.toISOString()}\n`,
    )
    output.write(`${invoiceSummaryTable(summary)}\n`)
    if (out) output.write(`written to ${out}\n`)
  }
  const withoutPlan = unbilledCustomers(run)
  if (withoutPlan) output.warn(withoutPlan)
  return totals
}

/** What the summary table needs of an invoice: its totals, not its lines. */
function lightweight(i: Invoice): Invoice {
  return { ...i, intervals: [], unbilled: [] }
}

function periodJson(run: InvoiceRun) {
  return { from: run.period.from.toISOString(), to: run.period.to.toISOString() }
}

/** How many events belong to customers with no plan, and the top ones by name. */
function unbilledCustomers(run: InvoiceRun, top = 5): string | undefined {
  if (run.unbilled.length === 0) return undefined
  const events = run.unbilled.reduce((n, u) => n + u.events, 0)
  const named = run.unbilled
    .slice(0, top)
    .map((u) => `"${u.customer}" (${u.events.toLocaleString('en-US')})`)
    .join(', ')
  const more = run.unbilled.length > top ? `, and ${run.unbilled.length - top} more` : ''
  return `${events.toLocaleString('en-US')} event(s) in the period belong to ${run.unbilled.length} customer(s) with no plan in customers.yaml, not invoiced: ${named}${more}`
}
