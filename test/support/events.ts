// Puts events into a store the real way, for tests: NDJSON files in a temp folder, then `ingest()`.
// `ingest()` runs the compiled worker from dist/: build first (`npx tsc -p tsconfig.build.json`).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ingest, type IngestSummary } from '../../src/ingest/ingest.js'
import { openStore, type Store } from '../../src/store/store.js'

/** One event line as sent by a client; `properties` values are written as given (numbers stay numbers). */
export interface EventInput {
  transaction_id: string
  customer: string
  code: string
  /** ISO-8601 text, or Unix seconds. */
  timestamp: string | number
  properties?: Record<string, string | number | boolean>
}

const made: string[] = []

/** A fresh temporary folder, e.g. for one test file's embedded data folder; see removeTempDirs. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `billing-${prefix}-`))
  made.push(dir)
  return dir
}

/** Removes every folder tempDir made in this process; call it in afterAll, once stores are closed. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** A database name no other test uses. */
export function uniqueDatabase(prefix = 'u'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`
}

/** Writes events (objects, or raw lines written verbatim) as an NDJSON file in `dir`. */
export function writeEvents(dir: string, events: (EventInput | string)[]): string {
  const file = path.join(dir, `events-${randomBytes(4).toString('hex')}.ndjson`)
  writeFileSync(file, events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n') + '\n')
  return file
}

/** Ingests the events as one run; throws if any line is rejected, so a typo in a test cannot pass silently. */
export async function ingestEvents(
  store: Store,
  dir: string,
  events: (EventInput | string)[],
): Promise<IngestSummary> {
  const source = writeEvents(dir, events)
  const summary = await ingest(store, { sources: [source], rejectsPath: `${source}.rejects`, workers: 1 })
  if (summary.rejected > 0) throw new Error(`ingest rejected lines: ${JSON.stringify(summary.firstRejects)}`)
  return summary
}

/** Opens a fresh database in `dataDir`, runs `fn`, and closes the store whatever happens. */
export async function withStore<T>(dataDir: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ mode: 'write', dataDir, database: uniqueDatabase() })
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}
