// Stores staging files (validated events, see event-sql.ts) in the events table, one INSERT per batch.
import { createReadStream } from 'node:fs'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { finished } from 'node:stream/promises'
import type { Store } from './connect.js'
import { insertFromBodySql, insertFromFilesSql, STAGING_SETTINGS } from './event-sql.js'

export async function insertStagingFiles(store: Store, run: number, files: string[]): Promise<void> {
  if (files.length === 0) return
  const dir = path.dirname(files[0]!)
  if (store.kind === 'embedded') {
    await store.client.command({
      query: insertFromFilesSql(
        store.db,
        dir,
        files.map((f) => path.basename(f)),
      ),
      query_params: { run },
      clickhouse_settings: STAGING_SETTINGS,
    })
    return
  }
  const { stream } = await store.client.exec({
    query: insertFromBodySql(store.db),
    query_params: { run },
    values: concatenate(files),
    clickhouse_settings: STAGING_SETTINGS,
  })
  // Read the (empty) response to its end: until then the client keeps the socket, and after ten
  // unread responses every further INSERT waits for a keep-alive timeout.
  stream.resume()
  await finished(stream)
}

function concatenate(files: string[]): PassThrough {
  const out = new PassThrough()
  ;(async () => {
    for (const f of files) {
      for await (const piece of createReadStream(f)) {
        if (!out.write(piece)) await new Promise((resolve) => out.once('drain', resolve))
      }
    }
    out.end()
  })().catch((e: Error) => out.destroy(e))
  return out
}
