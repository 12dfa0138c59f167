// Invoices on demand: measure the period's raw events, then price them with the customer's plan.
import type { Catalog, Customer, Plan } from '../plans/types.js'
import { Decimal } from '../money/decimal.js'
import type { Store } from '../store/store.js'
import { buildInvoice } from './build.js'
import { currentPeriod } from './period.js'
import type { ChargeUsage, Invoice, Period } from './types.js'
import { measureUsage, type MeasuredUsage } from './usage-query.js'

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
  const { usage } = await measureUsage(store, plan.charges, period, request.customer)
  return price(plan, customerOf(catalog, request.customer), period, usage, (m) => m)
}

export interface InvoiceRun {
  period: Period
  invoices: InvoiceResult[]
  /** Customers with events in the period but no plan to bill them with. */
  unbilled: { customer: string; events: number }[]
}

/**
 * Every customer with events or a plan in the period, from one pass over the events: the charges of
 * every plan involved are measured together and each customer's invoice takes its plan's share.
 */
export async function invoiceAll(
  store: Store,
  catalog: Catalog,
  request: { plan?: string; period: Period },
): Promise<InvoiceRun> {
  const plans = request.plan ? [planFor(catalog, '', request.plan)] : [...catalog.plans.values()]
  const offsets = new Map<string, number>()
  const measures = []
  for (const p of plans) {
    offsets.set(p.code, measures.length)
    measures.push(...p.charges)
  }
  const { usage, eventsByCustomer } = await measureUsage(store, measures, request.period)

  const byCustomer = new Map<string, MeasuredUsage[]>()
  for (const u of usage) {
    const list = byCustomer.get(u.customer)
    if (list) list.push(u)
    else byCustomer.set(u.customer, [u])
  }
  const customers = new Set([...catalog.customers.keys(), ...eventsByCustomer.keys()])
  const run: InvoiceRun = { period: request.period, invoices: [], unbilled: [] }
  for (const id of [...customers].sort()) {
    const code = request.plan ?? catalog.customers.get(id)?.plan
    const plan = code === undefined ? undefined : catalog.plans.get(code)
    if (!plan) {
      run.unbilled.push({ customer: id, events: eventsByCustomer.get(id) ?? 0 })
      continue
    }
    const offset = offsets.get(plan.code)!
    const mine = (byCustomer.get(id) ?? []).filter(
      (u) => u.measure >= offset && u.measure < offset + plan.charges.length,
    )
    run.invoices.push(price(plan, customerOf(catalog, id), request.period, mine, (m) => m - offset))
  }
  return run
}

function customerOf(catalog: Catalog, id: string): Pick<Customer, 'id' | 'name' | 'taxRate'> {
  return catalog.customers.get(id) ?? { id, taxRate: new Decimal(0) }
}

function price(
  plan: Plan,
  customer: Pick<Customer, 'id' | 'name' | 'taxRate'>,
  period: Period,
  measured: MeasuredUsage[],
  chargeOf: (measure: number) => number,
): InvoiceResult {
  const warnings: string[] = []
  const usage: ChargeUsage[] = measured.map((m) => {
    const charge = chargeOf(m.measure)
    const groupBy = plan.charges[charge]!.groupBy
    if (m.invalidValues > 0) {
      const metric = plan.charges[charge]!.metric
      warnings.push(
        `${customer.id}: ${m.invalidValues} event(s) of "${metric.code}" have a "${metric.property}" that is not a number; they add nothing to ${metric.name}`,
      )
    }
    return {
      charge,
      group: Object.fromEntries(groupBy.map((k, i) => [k, m.group[i] ?? ''])),
      units: m.units,
      events: m.events,
    }
  })
  return { invoice: buildInvoice({ customer, plan, period, usage }), warnings }
}
