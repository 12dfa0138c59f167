// Measuring usage in tests the way invoices do: the store's usage rows for one customer, folded into
// what each charge measured in each interval of the period.
import { invoiceAll, type InvoiceResult } from '../../src/invoices/invoice.js'
import { intervalsOf } from '../../src/invoices/intervals.js'
import type { ChargeUsage, Period } from '../../src/invoices/types.js'
import { foldUsage, type FoldedUsage } from '../../src/invoices/usage-fold.js'
import { usageShape } from '../../src/invoices/usage-shape.js'
import type { BillableMetric, Catalog, Charge, Plan } from '../../src/plans/types.js'
import { Decimal } from '../../src/money/decimal.js'
import type { Store } from '../../src/store/store.js'
import { readUsage } from '../../src/store/usage.js'

/** A monthly plan in USD made of these charges. */
export function planOf(charges: Charge[], code = 'p'): Plan {
  return {
    code,
    name: code,
    currency: 'USD',
    interval: 'monthly',
    fixedFee: new Decimal(0),
    charges,
    file: `${code}.yaml`,
  }
}

type PercentageRules = Extract<Charge, { model: 'percentage' }>

/** A percentage charge of 10 % on the metric, no fixed fee, free units or events unless `over` says so. */
export function percentageCharge(metric: BillableMetric, over: Partial<PercentageRules> = {}): Charge {
  return {
    metric,
    model: 'percentage',
    rate: new Decimal(10),
    fixedFee: new Decimal(0),
    freeUnits: new Decimal(0),
    freeEvents: 0,
    filters: {},
    groupBy: [],
    ...over,
  }
}

/** Everything the charges measured for the customer over the period, per interval. */
export async function foldFor(
  store: Store,
  plan: Plan,
  period: Period,
  customer: string,
): Promise<FoldedUsage> {
  const shape = usageShape([plan])
  const intervals = intervalsOf(period, plan.interval)
  const rows = []
  const page = {
    customers: [customer],
    starts: intervals.map((i) => i.from.getTime()),
    ends: intervals.map((i) => i.to.getTime()),
  }
  rows.push(...(await readUsage(store, shape, page)))
  return foldUsage(plan, shape, rows, intervals)
}

/** What the charges measured over a period of one interval (e.g. a month on a monthly plan), with the events each found no number in. */
export async function measure(
  store: Store,
  charges: Charge[],
  period: Period,
  customer: string,
): Promise<(ChargeUsage & { invalid: number })[]> {
  const folded = await foldFor(store, planOf(charges), period, customer)
  return folded.intervals.flat().map((u) => ({ ...u, invalid: folded.invalid.get(u.charge) ?? 0 }))
}

/** invoiceAll, with its invoices gathered into a list. */
export async function allInvoices(
  store: Store,
  catalog: Catalog,
  request: { plan?: string; period: Period },
): Promise<{ invoices: InvoiceResult[]; unbilled: { customer: string; events: number }[] }> {
  const run = await invoiceAll(store, catalog, request)
  const invoices: InvoiceResult[] = []
  for await (const r of run.invoices) invoices.push(r)
  return { invoices, unbilled: run.unbilled }
}
