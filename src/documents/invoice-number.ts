// The invoice number: the same invoice gets the same number every time it is rendered, with no
// counter to keep. `<prefix>-<YYYYMM>-<customer>`, the month of the period's start (UTC), or
// `<prefix>-<YYYYMMDD>-<customer>` for a period that does not start on the first of a month.
// A customer id of up to 32 letters, digits, `.`, `_` and `-` is written as it is; any other id
// (spaces, accents, other scripts, longer) as the first 10 hex digits of its SHA-256, so that the
// number stays short and printable. Two invoices of one customer get the same number only when
// their periods start on the same day (say --period 2026-10 and --period 2026-Q4).
import { createHash } from 'node:crypto'

export const DEFAULT_INVOICE_PREFIX = 'INV'

const PLAIN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/

export function invoiceNumber(customer: string, periodStart: Date, prefix = DEFAULT_INVOICE_PREFIX): string {
  const iso = periodStart.toISOString()
  const firstOfMonth = iso.slice(8) === '01T00:00:00.000Z'
  const stamp = firstOfMonth ? iso.slice(0, 7).replace('-', '') : iso.slice(0, 10).replaceAll('-', '')
  return `${prefix}-${stamp}-${customerPart(customer)}`
}

function customerPart(customer: string): string {
  if (PLAIN_ID.test(customer)) return customer
  return createHash('sha256').update(customer).digest('hex').slice(0, 10)
}
