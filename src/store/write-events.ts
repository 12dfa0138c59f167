// Stores batches of staging files (validated events, see event-sql.ts) in the events table, one
// INSERT a batch. Sending a batch again is idempotent: its rows have the same keys and versions, so
// the events table keeps one of each; that is why a server INSERT can be retried.
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { insertFromBodySql, insertFromFilesSql, STAGING_SETTINGS } from './event-sql.js'
import type { Store } from './store.js'

export interface StagedBatch {
  files: string[]
  /** The batch's stamp (see event-versions.ts) and the run place of its first line. */
  stamp: number
  firstSeq: number
}

/** Stores one batch; resolves with the rows the engine says it wrote. */
export async function insertBatch(store: Store, batch: StagedBatch): Promise<number> {
  if (batch.files.length === 0) return 0
  const params = { stamp: batch.stamp, first_seq: batch.firstSeq }
  if (store.kind === 'embedded') {
    const dir = path.dirname(batch.files[0]!)
    const names = batch.files.map((f) => path.basename(f))
    const { writtenRows } = await store.insert(insertFromFilesSql(store.db, dir, names), {
      params,
      settings: STAGING_SETTINGS,
    })
    return writtenRows
  }
  const { writtenRows } = await store.insertBody(
    insertFromBodySql(store.db),
    () => concatenate(batch.files),
    {
      params,
      settings: { ...STAGING_SETTINGS, insert_deduplication_token: batchToken(batch) },
    },
  )
  return writtenRows
}

const PROCESS_NONCE = randomUUID()

/**
 * Names one batch, so that a server that de-duplicates inserts (replicated and ClickHouse Cloud tables
 * do by default) drops a re-send that the first attempt had already stored, instead of keeping a
 * second copy until a merge. Only a re-send of this very batch carries it: staging files belong to one
 * process. A server that does not de-duplicate ignores it; FINAL counts once anyway.
 */
function batchToken(batch: StagedBatch): string {
  const hash = createHash('sha256').update(`${PROCESS_NONCE}\n${batch.stamp}\n${batch.files.join('\n')}`)
  return `billing-${batch.stamp}-${hash.digest('hex').slice(0, 32)}`
}

/** The staging files, one after the other. Destroyed early (an abandoned attempt), it closes the file it reads. */
function concatenate(files: string[]): Readable {
  async function* pieces() {
    for (const f of files) yield* createReadStream(f)
  }
  return Readable.from(pieces(), { objectMode: false })
}
