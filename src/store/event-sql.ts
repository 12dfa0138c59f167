// How validated events enter the events table. Ingest writes them as staging rows in RowBinary (see
// src/ingest/staging-rows.ts); the engine turns those into stored events. The embedded engine reads
// staging files with file(); a server reads the same bytes from the request body with input(). The
// SELECT is shared, so both stores store exactly the same rows.

import type { ClickHouseSettings } from '@clickhouse/client'

/** A staging row: the customer (external_customer_id when that alias was sent), ids, UTC ms, place in the run. */
export const STAGING_STRUCTURE =
  'customer String, transaction_id String, code String, ts Int64, seq UInt64, properties Map(String, String)'

/**
 * Ingest writes RowBinary. The load generator writes the same columns as JSON objects, one a line
 * (numbers read as their text; a missing column gets its default).
 */
export type StagingFormat = 'RowBinary' | 'JSONEachRow'

export function stagingSettings(format: StagingFormat): ClickHouseSettings {
  // De-duplication happens at merge time and under FINAL; sorting it out on insert is 3x slower.
  const settings: ClickHouseSettings = { optimize_on_insert: 0 }
  if (format === 'JSONEachRow') {
    settings.input_format_json_read_numbers_as_strings = 1
    settings.input_format_skip_unknown_fields = 1
  }
  return settings
}

/** `version` orders copies of an event: the run, then the line's place in the run. */
function insertSelect(db: string, source: string): string {
  return `INSERT INTO ${db}.events (customer, transaction_id, code, timestamp, properties, version)
SELECT customer,
       transaction_id,
       code,
       fromUnixTimestamp64Milli(ts, 'UTC'),
       properties,
       bitShiftLeft(toUInt64({run:UInt32}), 32) + seq
FROM ${source}`
}

const SAFE_PATH = /^[A-Za-z0-9_./-]+$/

/** Embedded: the engine reads staging files itself (our own temp files in one folder, never user input). */
export function insertFromFilesSql(db: string, dir: string, names: string[], format: StagingFormat): string {
  const glob = `${dir}/${names.length === 1 ? names[0]! : `{${names.join(',')}}`}`
  if (!SAFE_PATH.test(dir) || !names.every((n) => SAFE_PATH.test(n) && !n.includes('/'))) {
    throw new Error(`unexpected character in a staging file path: ${glob}`)
  }
  return insertSelect(db, `file('${glob}', '${format}', '${STAGING_STRUCTURE}')`)
}

/** Server: the staging rows travel in the request body. */
export function insertFromBodySql(db: string, format: StagingFormat): string {
  return `${insertSelect(db, `input('${STAGING_STRUCTURE}')`)}\nFORMAT ${format}`
}
