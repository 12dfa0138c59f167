// After the events are stored: time invoice --all over them, and join the ingest-format copies
// written with --out into one file that `billing ingest` can replay.
import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { invoiceAll } from '../invoices/invoice.js'
import type { Period } from '../invoices/types.js'
import { Decimal } from '../money/decimal.js'
import type { Catalog, Customer } from '../plans/types.js'
import type { Store } from '../store/store.js'
import { customerId, type TrafficShape } from './generate.js'

export interface InvoiceTiming {
  ms: number
  invoices: number
  /** Customers with events but no plan (none, unless the catalog has no plans). */
  unbilled: number
  period: Period
}

/** The catalog's plans, with every synthetic customer on one of them in turn. */
export function loadtestCatalog(catalog: Catalog, traffic: TrafficShape): Catalog {
  const plans = [...catalog.plans.keys()].sort()
  const customers = new Map<string, Customer>()
  if (plans.length > 0) {
    for (let rank = 0; rank < traffic.customers; rank++) {
      const id = customerId(rank, traffic.customers)
      customers.set(id, { id, plan: plans[rank % plans.length]!, taxRate: new Decimal(0) })
    }
  }
  return { plans: catalog.plans, customers }
}

export async function timeInvoices(
  store: Store,
  catalog: Catalog,
  traffic: TrafficShape,
  period: Period,
): Promise<InvoiceTiming> {
  const synthetic = loadtestCatalog(catalog, traffic)
  const started = performance.now()
  const run = await invoiceAll(store, synthetic, { period })
  let invoices = 0
  for await (const _ of run.invoices) invoices++
  return { ms: performance.now() - started, invoices, unbilled: run.unbilled.length, period }
}

export async function appendIngestFiles(parts: string[], outFile: string): Promise<void> {
  const out = createWriteStream(outFile)
  for (const part of parts) {
    for await (const piece of createReadStream(part)) {
      if (!out.write(piece)) await once(out, 'drain')
    }
  }
  out.end()
  await once(out, 'finish')
}
