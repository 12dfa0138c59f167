// Ingest runs: each run has a number, which orders copies of an event (the newest run wins), and a
// record of what it read and stored, kept next to the events.
import type { Store } from '../store/connect.js'

export interface RunRecord {
  run: number
  sources: string[]
  lines: number
  accepted: number
  rejected: number
  status: 'running' | 'finished' | 'interrupted' | 'failed'
}

export async function startRun(store: Store, sources: string[]): Promise<number> {
  const rs = await store.client.query({
    query: `SELECT max(run_id) AS last FROM ${store.db}.ingest_runs`,
    format: 'JSONEachRow',
  })
  const run = Number(((await rs.json()) as { last: number }[])[0]?.last ?? 0) + 1
  await recordRun(store, { run, sources, lines: 0, accepted: 0, rejected: 0, status: 'running' }, false)
  return run
}

// Written with INSERT ... SELECT and bound parameters, not an inline data block: the embedded engine
// refuses inline data while the process's standard input is a pipe (`billing ingest -`).
export async function recordRun(store: Store, record: RunRecord, finished = true): Promise<void> {
  await store.client.command({
    query: `INSERT INTO ${store.db}.ingest_runs
SELECT {run:UInt32}, now64(3), if({finished:Bool}, now64(3), NULL), {sources:Array(String)},
       {lines:UInt64}, {accepted:UInt64}, {rejected:UInt64}, {status:String}`,
    query_params: { ...record, finished },
  })
}

export interface RunDuplicates {
  /** Events this run stored: distinct (customer, transaction_id) among its accepted lines. */
  distinct: number
  /** Of those, events that an earlier run had already stored (where not yet merged away). */
  alreadyStored: number
}

/** Counts, after the fact, how many of the run's events were copies. */
export async function countRunDuplicates(store: Store, run: number): Promise<RunDuplicates> {
  const base = `bitShiftLeft(toUInt64({run:UInt32}), 32)`
  const rs = await store.client.query({
    query: `SELECT
    uniqExactIf((customer, transaction_id), version >= ${base}) AS distinct,
    uniqExactIf((customer, transaction_id), version < ${base}) AS earlier
FROM ${store.db}.events
WHERE (customer, transaction_id) IN (
    SELECT customer, transaction_id FROM ${store.db}.events WHERE version >= ${base}
)`,
    query_params: { run },
    format: 'JSONEachRow',
  })
  const row = ((await rs.json()) as { distinct: string; earlier: string }[])[0]
  return { distinct: Number(row?.distinct ?? 0), alreadyStored: Number(row?.earlier ?? 0) }
}
