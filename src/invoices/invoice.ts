// Invoices on demand: measure the period's raw events, then price them with the customer's plan,
// interval by interval. Every customer only ever feeds its own plan's charges. `invoiceAll` goes
// through the customers in pages and hands out invoices one at a time, so that memory stays bounded
// however many customers there are.
import type { Catalog, Customer, Interval, Plan } from '../plans/types.js'
import { Decimal } from '../money/decimal.js'
import { eventsByCustomer } from '../store/customer-events.js'
import type { Store } from '../store/store.js'
import { readUsageLines, usageRows } from '../store/usage.js'
import type { PlanCustomers, UsagePage } from '../store/usage-sql.js'
import { buildInvoice } from './build.js'
import { intervalsOf, type BillingInterval } from './intervals.js'
import { currentPeriod } from './period.js'
import type { Invoice, Period } from './types.js'
import { foldUsage } from './usage-fold.js'
import { usageShape, type UsageShape } from './usage-shape.js'

export class InvoiceError extends Error {}

export interface InvoiceResult {
  invoice: Invoice
  /** Things a person should know about the numbers, e.g. values that were not numbers. */
  warnings: string[]
}

/** The plan that bills `customerId`: `--plan` first, then customers.yaml. */
export function planFor(catalog: Catalog, customerId: string, planOverride?: string): Plan {
  const code = planOverride ?? catalog.customers.get(customerId)?.plan
  if (code === undefined) {
    throw new InvoiceError(`customer "${customerId}" has no plan: add it to customers.yaml or pass --plan`)
  }
  const plan = catalog.plans.get(code)
  if (!plan)
    throw new InvoiceError(`no plan "${code}" (known: ${[...catalog.plans.keys()].join(', ') || 'none'})`)
  return plan
}

export async function invoiceCustomer(
  store: Store,
  catalog: Catalog,
  request: { customer: string; plan?: string; period?: Period },
): Promise<InvoiceResult> {
  const plan = planFor(catalog, request.customer, request.plan)
  const period = request.period ?? currentPeriod(plan.interval)
  const billing = new Billing(store, [plan], period, plan.interval)
  const page = [{ id: request.customer, plan }]
  const [result] = billing.price(page, await billing.measure(page), catalog)
  return result!
}

export interface InvoiceRun {
  period: Period
  /** Customers to invoice: those of customers.yaml (with --plan: those with events in the period). */
  customers: number
  /** Customers with events in the period but no plan to bill them with, most events first. */
  unbilled: { customer: string; events: number }[]
  invoices: AsyncGenerator<InvoiceResult>
}

/** Customers per page, and events per page (as counted before de-duplication), at most. */
const PAGE_CUSTOMERS = 1000
const PAGE_EVENTS = 2_000_000

/**
 * Every customer of customers.yaml, or with --plan every customer with events in the period. Pages
 * of customers are measured one query each; the customers of one page share their plans' interval.
 */
export async function invoiceAll(
  store: Store,
  catalog: Catalog,
  request: { plan?: string; period: Period },
): Promise<InvoiceRun> {
  const period = request.period
  const counts = await eventsByCustomer(store, period)
  const override = request.plan === undefined ? undefined : planFor(catalog, '', request.plan)
  const billed: { id: string; plan: Plan }[] = []
  const ids = override ? [...counts.keys()] : [...catalog.customers.keys()]
  for (const id of [...new Set(ids)].sort()) billed.push({ id, plan: override ?? planFor(catalog, id) })
  const known = new Set(billed.map((c) => c.id))
  const unbilled = [...counts]
    .filter(([id]) => !known.has(id))
    .map(([customer, events]) => ({ customer, events }))
  return {
    period,
    customers: billed.length,
    unbilled: unbilled.length > 0 ? await exactCounts(store, period, unbilled) : [],
    invoices: pages(store, catalog, period, billed, counts),
  }
}

async function* pages(
  store: Store,
  catalog: Catalog,
  period: Period,
  billed: { id: string; plan: Plan }[],
  counts: Map<string, number>,
): AsyncGenerator<InvoiceResult> {
  for (const [interval, customers] of groupedBy(billed, (c) => c.plan.interval)) {
    const plans = [...new Set(customers.map((c) => c.plan))]
    const billing = new Billing(store, plans, period, interval)
    billing.readCarryIn()
    // The engine measures the next page while this one is priced and written: one page ahead, so
    // that at most two pages of usage are held (and the carry-in of the customers still to come).
    let ahead: Measuring | undefined
    try {
      for (const page of pagesOf(customers, counts)) {
        const current = ahead
        ahead = measuring(billing, page)
        if (current) yield* billing.price(current.page, await current.usage, catalog)
      }
      const last = ahead
      ahead = undefined
      if (last) yield* billing.price(last.page, await last.usage, catalog)
    } finally {
      // Stopped early or failed: the queries still running are let finish before the store closes.
      await ahead?.usage.catch(() => {})
      await billing.carryInRead()
    }
  }
}

type Page = { id: string; plan: Plan }[]

/** The items by key, each key's in their order, the keys in the order they first come. */
function groupedBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>()
  for (const item of items) {
    const k = key(item)
    const same = groups.get(k)
    if (same) same.push(item)
    else groups.set(k, [item])
  }
  return groups
}

interface Measuring {
  page: Page
  usage: Promise<Map<string, string[]>>
}

function measuring(billing: Billing, page: Page): Measuring {
  const usage = billing.measure(page)
  usage.catch(() => {}) // awaited later; not an unhandled rejection meanwhile
  return { page, usage }
}

/** Pages of at most PAGE_CUSTOMERS customers and, but for one large customer, PAGE_EVENTS events. */
function* pagesOf(customers: Page, counts: Map<string, number>): Generator<Page> {
  let page: Page = []
  let events = 0
  for (const c of customers) {
    const n = counts.get(c.id) ?? 0
    if (page.length > 0 && (page.length >= PAGE_CUSTOMERS || events + n > PAGE_EVENTS)) {
      yield page
      page = []
      events = 0
    }
    page.push(c)
    events += n
  }
  if (page.length > 0) yield page
}

/** What the invoices of one period, over plans of one interval, have in common. */
class Billing {
  private readonly shape: UsageShape
  /** With more than one plan: each plan's own shape, which its customers' columns are read by. */
  private readonly shapes: Map<Plan, UsageShape> | undefined
  private readonly intervals: BillingInterval[]
  /** invoice --all: the carry-in of every customer, read ahead (see readCarryIn). */
  private carryIn: Promise<Map<string, string[]>> | undefined

  constructor(
    private readonly store: Store,
    plans: Plan[],
    private readonly period: Period,
    interval: Interval,
  ) {
    this.shape = usageShape(plans)
    this.shapes = plans.length > 1 ? new Map(plans.map((p) => [p, usageShape([p])])) : undefined
    this.intervals = intervalsOf(period, interval)
  }

  /**
   * The increments before the period of every customer's weighted_sum codes, read in one query (the
   * pages then read the period only): per page, reading each month before the period again cost more
   * than the increments' own rows (at 100M events over 10 months, 13 pages: 1.3 s, against 0.45 s for
   * all 10,000 customers at once). Every customer, not a list of them: a list of 10,000 ids or more
   * would not fit a server's URL. Held until each page takes its own: a few rows per customer.
   */
  readCarryIn(): void {
    const usage = readUsageLines(this.store, this.shape, this.pageOf('all'), 'carried')
    usage.catch(() => {}) // awaited by each page; not an unhandled rejection meanwhile
    this.carryIn = usage
  }

  /** Once the carry-in's query is over, whether it succeeded or not. */
  async carryInRead(): Promise<void> {
    await this.carryIn?.catch(() => {})
  }

  /**
   * The usage rows of a page of customers, from one query (and the carry-in read ahead), by customer,
   * each row its line of the answer until the customer is priced.
   */
  async measure(customers: Page): Promise<Map<string, string[]>> {
    const parts = this.carryIn ? 'period' : 'all'
    const rows = await readUsageLines(this.store, this.shape, this.pageOf(customers), parts)
    const carried = await this.carryIn
    if (carried) {
      for (const { id } of customers) {
        const earlier = carried.get(id)
        if (!earlier) continue
        carried.delete(id)
        rows.set(id, [...(rows.get(id) ?? []), ...earlier])
      }
    }
    return rows
  }

  private pageOf(customers: Page | 'all'): UsagePage {
    return {
      customers: customers === 'all' ? 'all' : customers.map((c) => c.id),
      plans: customers === 'all' ? undefined : this.byPlan(customers),
      starts: this.intervals.map((i) => i.from.getTime()),
      ends: this.intervals.map((i) => i.to.getTime()),
    }
  }

  /**
   * The page's customers by plan, each with its plan's own shape: the page's query reads for each
   * customer only what its own plan reads (a pro customer's api_calls by model and region, a starter
   * customer's by neither), not every plan's columns for every customer.
   */
  private byPlan(customers: Page): PlanCustomers[] | undefined {
    const shapes = this.shapes
    if (shapes === undefined) return undefined
    return [...groupedBy(customers, (c) => c.plan)].map(([plan, onPlan]) => ({
      customers: onPlan.map((c) => c.id),
      shape: shapes.get(plan)!,
    }))
  }

  /** The invoices of a page of customers, in the page's order, one at a time. */
  *price(customers: Page, rows: Map<string, string[]>, catalog: Catalog): Generator<InvoiceResult> {
    for (const { id, plan } of customers) {
      const folded = foldUsage(plan, this.shape, usageRows(rows.get(id) ?? []), this.intervals)
      rows.delete(id)
      const invoice = buildInvoice({
        customer: customerOf(catalog, id),
        plan,
        period: this.period,
        intervals: this.intervals.map((interval, k) => ({ interval, usage: folded.intervals[k]! })),
        unbilled: folded.unbilled,
      })
      yield { invoice, warnings: warningsOf(id, plan, folded.invalid) }
    }
  }
}

/** Exact counts (one per event, FINAL) of the customers with events and no plan, most first. */
async function exactCounts(
  store: Store,
  period: Period,
  customers: { customer: string; events: number }[],
): Promise<{ customer: string; events: number }[]> {
  const exact = await eventsByCustomer(
    store,
    period,
    customers.map((c) => c.customer),
  )
  return [...exact]
    .map(([customer, events]) => ({ customer, events }))
    .filter((c) => c.events > 0)
    .sort((a, b) => b.events - a.events || (a.customer < b.customer ? -1 : 1))
}

function customerOf(catalog: Catalog, id: string): Pick<Customer, 'id' | 'name' | 'taxRate'> {
  return catalog.customers.get(id) ?? { id, taxRate: new Decimal(0) }
}

/** One warning per charge that met values that are not numbers, in the plan's order of charges. */
function warningsOf(id: string, plan: Plan, invalid: Map<number, number>): string[] {
  // Sorted: the fold meets them in the order the engine returns rows, which has no ORDER BY.
  return [...invalid]
    .sort(([a], [b]) => a - b)
    .map(([charge, n]) => {
      const metric = plan.charges[charge]!.metric
      return `${id}: ${n} event(s) of "${metric.code}" have a "${metric.property}" that is not a number; they add nothing to ${metric.name}`
    })
}
