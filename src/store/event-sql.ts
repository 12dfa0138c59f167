// How validated events enter the events table. Ingest writes them as "staging rows" (one JSON
// object a line, see src/ingest/validate-chunk.ts); the engine turns those into stored events.
// The embedded engine reads staging files with file(); a server reads the same bytes from the
// request body with input(). The SELECT is shared, so both stores store exactly the same rows.

// A staging row is either an event line as its sender wrote it, with `ts` and `seq` put in front, or
// a rewritten line with exactly these keys; `customer` is '' when the line used external_customer_id.
export const STAGING_STRUCTURE =
  'customer String, external_customer_id String, transaction_id String, code String, ts Int64, seq UInt64, ' +
  'properties Map(String, String)'

/**
 * Settings that make the engine read staging rows exactly: numbers keep their text. Booleans never
 * reach it bare (ingest quotes them), so no setting newer than ClickHouse 23.8 is needed.
 */
export const STAGING_SETTINGS = {
  input_format_json_read_numbers_as_strings: 1,
  // The sender's own keys that are not event fields (the timestamp text among them) are skipped.
  input_format_skip_unknown_fields: 1,
  // De-duplication happens at merge time and under FINAL; sorting it out on insert is 3x slower.
  optimize_on_insert: 0,
} as const

/** `version` orders copies of an event: the run, then the line's place in the run. */
function insertSelect(db: string, source: string): string {
  return `INSERT INTO ${db}.events (customer, transaction_id, code, timestamp, properties, version)
SELECT if(customer != '', customer, external_customer_id),
       transaction_id,
       code,
       fromUnixTimestamp64Milli(ts, 'UTC'),
       properties,
       bitShiftLeft(toUInt64({run:UInt32}), 32) + seq
FROM ${source}`
}

const SAFE_PATH = /^[A-Za-z0-9_./-]+$/

/** Embedded: the engine reads staging files itself (our own temp files in one folder, never user input). */
export function insertFromFilesSql(db: string, dir: string, names: string[]): string {
  const glob = `${dir}/${names.length === 1 ? names[0]! : `{${names.join(',')}}`}`
  if (!SAFE_PATH.test(dir) || !names.every((n) => SAFE_PATH.test(n) && !n.includes('/'))) {
    throw new Error(`unexpected character in a staging file path: ${glob}`)
  }
  return insertSelect(db, `file('${glob}', 'JSONEachRow', '${STAGING_STRUCTURE}')`)
}

/** Server: the staging rows travel in the request body. */
export function insertFromBodySql(db: string): string {
  return `${insertSelect(db, `input('${STAGING_STRUCTURE}')`)}\nFORMAT JSONEachRow`
}
