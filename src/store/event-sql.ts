// How validated events enter the events table. Ingest writes them as staging rows in RowBinary (see
// src/ingest/staging-rows.ts); the engine turns those into stored events. The embedded engine reads
// staging files with file(); a server reads the same bytes from the request body with input(). The
// SELECT is shared, so both stores store exactly the same rows.
import type { ClickHouseSettings } from '@clickhouse/client'
import { VERSION_SQL } from './event-versions.js'
import { TX_KEY_OF_STAGING_SQL } from './schema.js'

/**
 * A staging row: the customer (external_customer_id when that alias was sent), the transaction id
 * (as a UUID's bytes, or as text: see src/store/schema.ts), the code, UTC ms, place in the run.
 */
export const STAGING_STRUCTURE =
  'customer String, tx_uuid UUID, tx_text String, code String, ts Int64, seq UInt64, properties Map(String, String)'

export const STAGING_SETTINGS: ClickHouseSettings = {
  // De-duplication happens at merge time and under FINAL; sorting it out on insert is 3x slower.
  optimize_on_insert: 0,
  // A batch of events from many months writes a part to each month's partition.
  max_partitions_per_insert_block: '0',
}

function insertSelect(db: string, source: string): string {
  return `INSERT INTO ${db}.events (customer, code, tx_key, transaction_id, timestamp, properties, version)
SELECT customer,
       code,
       ${TX_KEY_OF_STAGING_SQL('tx_uuid', 'tx_text')},
       tx_text,
       fromUnixTimestamp64Milli(ts, 'UTC'),
       properties,
       ${VERSION_SQL}
FROM ${source}`
}

const SAFE_PATH = /^[A-Za-z0-9_./+ -]+$/

/**
 * Embedded: the engine reads staging files itself (our own temp files in one folder, never user
 * input). Paths go into a string literal and a glob: quotes, backslashes and glob characters are
 * refused (spaces and + are fine: a temp folder may have them).
 */
export function insertFromFilesSql(db: string, dir: string, names: string[]): string {
  if (!SAFE_PATH.test(dir) || !names.every((n) => SAFE_PATH.test(n) && !n.includes('/'))) {
    throw new Error(`unexpected character in a staging file path: ${dir}/${names.join(',')}`)
  }
  const glob = `${dir}/${names.length === 1 ? names[0]! : `{${names.join(',')}}`}`
  return insertSelect(db, `file('${glob}', 'RowBinary', '${STAGING_STRUCTURE}')`)
}

/** Server: the staging rows travel in the request body. */
export function insertFromBodySql(db: string): string {
  return `${insertSelect(db, `input('${STAGING_STRUCTURE}')`)}\nFORMAT RowBinary`
}
