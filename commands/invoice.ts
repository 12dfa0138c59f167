import * as Flags from '@oclif/core/flags'
import { catalogFromFlag } from '../src/cli/catalog.js'
import { StoreCommand } from '../src/cli/command.js'
import { documentSettingsFromFlag } from '../src/cli/document-settings.js'
import { EXIT } from '../src/cli/exit-codes.js'
import { plansFlag } from '../src/cli/flags.js'
import {
  checkOutput,
  chosenFormat,
  INVOICE_FORMATS,
  isDocumentFormat,
  issueDate,
  writeInvoiceFile,
} from '../src/documents/output.js'
import { invoiceRenderer } from '../src/documents/render.js'
import { invoiceAll, invoiceCustomer, planFor } from '../src/invoices/invoice.js'
import { currentPeriod, periodFromFlags } from '../src/invoices/period.js'
import { writeInvoiceRun } from '../src/render/invoice-run.js'

export default class Invoice extends StoreCommand {
  static override description =
    "Compute an invoice on demand from the raw events: the customer's plan prices the period's usage. Periods are [from, to) in UTC; the default is the plan's current period. --format html or pdf renders the invoice as the customer receives it, with the seller of billing.yaml in the plans folder."

  static override examples = [
    '<%= config.bin %> invoice --customer acme --period 2026-10',
    '<%= config.bin %> invoice --customer acme --from 2026-10-01 --to 2026-10-15 --json',
    '<%= config.bin %> invoice --customer acme --plan enterprise --period 2026-Q4',
    '<%= config.bin %> invoice --all --period 2026-10 --out invoices/',
    '<%= config.bin %> invoice --customer acme --period 2026-10 --format pdf --out acme.pdf',
    '<%= config.bin %> invoice --all --period 2026-10 --format html --out invoices/ --issued-on 2026-11-01',
  ]

  static override flags = {
    customer: Flags.string({ description: 'customer id', exactlyOne: ['customer', 'all'] }),
    all: Flags.boolean({
      description:
        'every customer of customers.yaml (with --plan: every customer with events in the period); events of customers without a plan are counted and the largest named',
    }),
    plan: Flags.string({ description: 'bill with this plan instead of the one in customers.yaml' }),
    period: Flags.string({ description: '2026-10 (month), 2026-Q4, 2026-W41 or 2026' }),
    from: Flags.string({ description: 'start of the period (ISO-8601; a date means its midnight UTC)' }),
    to: Flags.string({ description: 'end of the period, excluded' }),
    format: Flags.option({
      description: 'table (default), json, or an invoice document: html (one page) or pdf',
      options: INVOICE_FORMATS,
    })(),
    json: Flags.boolean({ description: 'print one JSON document (the same as --format json)' }),
    out: Flags.string({
      description:
        'with --customer: write the invoice into this file; with --all: one invoice per customer into this folder (JSON, or the --format document)',
    }),
    'issued-on': Flags.string({
      description: 'issue date of html and pdf invoices, YYYY-MM-DD (default: today, UTC)',
    }),
    plans: plansFlag,
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Invoice)
    const format = chosenFormat(flags.format, flags.json)
    checkOutput({ format, all: flags.all, out: flags.out, stdoutIsTTY: process.stdout.isTTY === true })
    const issuedOn = issueDate(flags['issued-on'])
    const catalog = await catalogFromFlag(flags.plans, this)
    const settings = isDocumentFormat(format) ? await documentSettingsFromFlag(flags.plans, this) : undefined
    const store = await this.openStore(flags, 'read')
    const warn = (message: string) => process.stderr.write(`warning: ${message}\n`)
    const render = invoiceRenderer({ format, catalog, settings, issuedOn, warn })

    if (flags.customer !== undefined) {
      const plan = planFor(catalog, flags.customer, flags.plan)
      const period = periodFromFlags(flags, () => currentPeriod(plan.interval))
      const { invoice, warnings } = await invoiceCustomer(store, catalog, {
        customer: flags.customer,
        plan: flags.plan,
        period,
      })
      for (const w of warnings) warn(w)
      const bytes = await render(invoice)
      if (flags.out === undefined) process.stdout.write(bytes)
      else writeInvoiceFile(flags.out, bytes)
      return
    }
    const intervals = new Set([...catalog.plans.values()].map((p) => p.interval))
    const period = periodFromFlags(flags, () => {
      if (intervals.size > 1)
        this.error('plans have different intervals: pass --period or --from/--to with --all', {
          exit: EXIT.usage,
        })
      return currentPeriod([...intervals][0] ?? 'monthly')
    })
    const run = await invoiceAll(store, catalog, { plan: flags.plan, period })
    await writeInvoiceRun(run, {
      json: format === 'json',
      out: flags.out,
      ...(isDocumentFormat(format) && { document: { extension: format, render } }),
      write: (text) => process.stdout.write(text),
      warn,
    })
  }
}
