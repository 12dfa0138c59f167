// Runs (an ingest, a load test): each has an id, a record of what it read and stored kept next to
// the events, and the clock that stamps its batches (see event-versions.ts).
import { randomInt } from 'node:crypto'
import { STAMP_EPOCH_MS, StampClock, stampOf, stampVersions } from './event-versions.js'
import type { Store } from './store.js'

export type RunStatus = 'running' | 'finished' | 'interrupted' | 'failed'

export interface RunRecord {
  run: number
  startedAt: Date
  sources: string[]
  lines: number
  accepted: number
  rejected: number
  status: RunStatus
  /** Stamps of the batches stored so far. */
  stamps: number[]
}

export interface StartedRun {
  record: RunRecord
  clock: StampClock
}

/**
 * A new run: its id (its start in ms since 2020, times 1024, plus a random tie-breaker, so that two
 * processes starting at once differ), its clock, and a first record saying it is running.
 */
export async function startRun(store: Store, sources: string[]): Promise<StartedRun> {
  const [row] = await store.rows<{ now: string; last: string }>(
    `SELECT toString(toUnixTimestamp64Milli(now64(3))) AS now,
            (SELECT toString(max(last_version)) FROM ${store.db}.ingest_runs) AS last`,
  )
  const localNow = Date.now()
  const offsetMs = store.kind === 'server' ? Number(row?.now ?? localNow) - localNow : 0
  const clock = new StampClock(offsetMs, stampOf(BigInt(row?.last ?? 0)))
  const startedAt = new Date(localNow + offsetMs)
  const record: RunRecord = {
    run: (startedAt.getTime() - STAMP_EPOCH_MS) * 1024 + randomInt(1024),
    startedAt,
    sources,
    lines: 0,
    accepted: 0,
    rejected: 0,
    status: 'running',
    stamps: [],
  }
  await recordRun(store, record)
  return { record, clock }
}

// Written with INSERT ... SELECT and bound parameters, not an inline data block: the embedded engine
// refuses inline data while the process's standard input is a pipe (`billing ingest -`).
export async function recordRun(store: Store, record: RunRecord): Promise<void> {
  const finished = record.status !== 'running'
  const versions = record.stamps.length
    ? {
        first: stampVersions(Math.min(...record.stamps)).first,
        last: stampVersions(Math.max(...record.stamps)).end - 1n,
      }
    : { first: 0n, last: 0n }
  await store.command(
    `INSERT INTO ${store.db}.ingest_runs
SELECT {run:UInt64}, {started_at:DateTime64(3, 'UTC')}, if({finished:Bool}, now64(3), NULL), {sources:Array(String)},
       {lines:UInt64}, {accepted:UInt64}, {rejected:UInt64}, {status:String},
       toUInt64({first_version:String}), toUInt64({last_version:String})`,
    {
      params: {
        run: record.run,
        started_at: record.startedAt.getTime() / 1000,
        finished,
        sources: record.sources,
        lines: record.lines,
        accepted: record.accepted,
        rejected: record.rejected,
        status: record.status,
        first_version: versions.first.toString(),
        last_version: versions.last.toString(),
      },
    },
  )
}
