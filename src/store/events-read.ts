// Reading one customer's stored events back, newest copy of each, a page at a time: for `billing
// events`. The primary key starts with the customer and partitions are months, so a page reads that
// customer's part of the period's months and nothing else.
import type { Period } from '../invoices/types.js'
import type { UsageShape } from '../invoices/usage-shape.js'
import { NEWEST_COPIES, NEWEST_COPIES_SETTINGS } from './event-versions.js'
import { TRANSACTION_ID_SQL, TX_KEY_SQL, TX_TEXT_SQL } from './schema.js'
import type { Store } from './store.js'
import { toDateTime64, VALUE_SCALE } from './usage-sql.js'

export interface StoredEvent {
  transactionId: string
  code: string
  timestamp: Date
  properties: Record<string, string>
  ingestedAt: Date
  /** The state of each of the shape's value properties: 0 missing, 1 not a number, 2 a number. */
  valueStates: number[]
}

export interface EventsQuery {
  customer: string
  period: Period
  code?: string
  transactionId?: string
  limit: number
  offset: number
}

export async function readEvents(
  store: Store,
  shape: Pick<UsageShape, 'values'>,
  query: EventsQuery,
): Promise<StoredEvent[]> {
  const params: Record<string, unknown> = {
    customer: query.customer,
    from: toDateTime64(query.period.from),
    to: toDateTime64(query.period.to),
    limit: query.limit,
    offset: query.offset,
  }
  const where = [
    'customer = {customer:String}',
    "timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}",
  ]
  if (query.code !== undefined) {
    params.code = query.code
    where.push('code = {code:String}')
  }
  if (query.transactionId !== undefined) {
    params.tx = query.transactionId
    where.push(`tx_key = ${TX_KEY_SQL('{tx:String}')} AND transaction_id = ${TX_TEXT_SQL('{tx:String}')}`)
  }
  const states = shape.values.map((v, i) => {
    params[`p${i}`] = v.name
    params[`c${i}`] = v.codes
    return `if(code IN {c${i}:Array(String)} AND mapContains(properties, {p${i}:String}),
           if(isNull(toDecimal256OrNull(properties[{p${i}:String}], ${VALUE_SCALE})), 1, 2), 0)`
  })
  const rows = await store.rows<{
    tx: string
    code: string
    ms: string
    properties: Record<string, string>
    ingested: string
    states: (number | string)[]
  }>(
    `SELECT ${TRANSACTION_ID_SQL} AS tx, toString(code) AS code, toString(toUnixTimestamp64Milli(timestamp)) AS ms,
       properties, toString(toUnixTimestamp64Milli(ingested_at)) AS ingested,
       [${states.join(',\n        ')}]::Array(UInt8) AS states
FROM ${NEWEST_COPIES(store.db)}
WHERE ${where.join('\n  AND ')}
ORDER BY timestamp DESC, tx_key, transaction_id
LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
    { params, settings: NEWEST_COPIES_SETTINGS },
  )
  return rows.map((r) => ({
    transactionId: r.tx,
    code: r.code,
    timestamp: new Date(Number(r.ms)),
    properties: r.properties,
    ingestedAt: new Date(Number(r.ingested)),
    valueStates: r.states.map(Number),
  }))
}
