// How many events each customer has in a period. Without a list of customers it counts every row of
// the period that is not a tombstone (cheap: no de-duplication, so a copy not yet merged counts
// twice), which is enough to size pages; for the customers listed it counts exactly, one per event.
import type { Period } from '../invoices/types.js'
import { NEWEST_COPIES, NEWEST_COPIES_SETTINGS } from './event-versions.js'
import type { Store } from './store.js'
import { toDateTime64 } from './usage-sql.js'

export async function eventsByCustomer(
  store: Store,
  period: Period,
  exactly?: string[],
): Promise<Map<string, number>> {
  const where = `timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}`
  const sql = exactly
    ? `SELECT customer, toString(count()) AS n FROM ${NEWEST_COPIES(store.db)}
WHERE customer IN {customers:Array(String)} AND ${where}
GROUP BY customer`
    : `SELECT customer, toString(count()) AS n FROM ${store.db}.events
WHERE ${where} AND is_deleted = 0
GROUP BY customer`
  const rows = await store.rows<{ customer: string; n: string }>(sql, {
    params: { from: toDateTime64(period.from), to: toDateTime64(period.to), customers: exactly ?? [] },
    settings: NEWEST_COPIES_SETTINGS,
  })
  return new Map(rows.map((r) => [r.customer, Number(r.n)]))
}
