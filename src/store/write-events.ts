// Stores staging files (validated events, see event-sql.ts) in the events table, one INSERT per batch.
// Sending a batch again is idempotent: its rows have the same (customer, transaction_id) and version,
// so the events table keeps one of them; that is why a server INSERT can be retried (connect.ts).
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { insertBody, type Store } from './connect.js'
import { insertFromBodySql, insertFromFilesSql, stagingSettings, type StagingFormat } from './event-sql.js'

export async function insertStagingFiles(
  store: Store,
  run: number,
  files: string[],
  format: StagingFormat,
): Promise<void> {
  if (files.length === 0) return
  const settings = stagingSettings(format)
  const dir = path.dirname(files[0]!)
  if (store.kind === 'embedded') {
    await store.client.command({
      query: insertFromFilesSql(
        store.db,
        dir,
        files.map((f) => path.basename(f)),
        format,
      ),
      query_params: { run },
      clickhouse_settings: settings,
    })
    return
  }
  const { stream } = await store.client.exec({
    query: insertFromBodySql(store.db, format),
    query_params: { run },
    values: insertBody(() => concatenate(files)),
    clickhouse_settings: { ...settings, insert_deduplication_token: batchToken(run, files) },
  })
  // Read the (empty) response to its end: until then the client keeps the socket, and after ten
  // unread responses every further INSERT waits for a keep-alive timeout.
  stream.resume()
  await finished(stream)
}

const PROCESS_NONCE = randomUUID()

/**
 * Names one batch, so that a server that de-duplicates inserts (replicated and ClickHouse Cloud tables
 * do by default) drops a re-send that the first attempt had already stored, instead of keeping a
 * second copy until a merge. Only a re-send of this very batch carries it: staging files belong to one
 * ingest call of one process. A server that does not de-duplicate ignores it; FINAL counts once anyway.
 */
function batchToken(run: number, files: string[]): string {
  const hash = createHash('sha256').update(`${PROCESS_NONCE}\n${run}\n${files.join('\n')}`)
  return `billing-run${run}-${hash.digest('hex').slice(0, 32)}`
}

/** The staging files, one after the other. Destroyed early (an abandoned attempt), it closes the file it reads. */
function concatenate(files: string[]): Readable {
  async function* pieces() {
    for (const f of files) yield* createReadStream(f)
  }
  return Readable.from(pieces(), { objectMode: false })
}
