// What a load test asks of the store besides inserting: its own database (never one holding billing
// data), the count of what arrived, the engine's own counters, and dropping the database afterwards.
import type { Store } from '../store/connect.js'
import { queryRows } from '../store/query-rows.js'

/** Sources of a load test's run record start with this, which marks the database as a load test's. */
export const LOADTEST_SOURCE = 'loadtest:'

export class LoadtestDatabaseError extends Error {}

/**
 * Refuses a database that holds anything but load-test events: synthetic traffic must never mix with
 * billing data, and the database is dropped at the end.
 */
export async function assertLoadtestDatabase(store: Store): Promise<void> {
  const [found] = await queryRows<{ runs: string; events: string }>(
    store,
    `SELECT
    (SELECT toString(count()) FROM ${store.db}.ingest_runs
     WHERE empty(sources) OR NOT arrayAll(s -> startsWith(s, {prefix:String}), sources)) AS runs,
    (SELECT toString(count()) FROM ${store.db}.events
     WHERE bitShiftRight(version, 32) NOT IN
           (SELECT run_id FROM ${store.db}.ingest_runs
            WHERE notEmpty(sources) AND arrayAll(s -> startsWith(s, {prefix:String}), sources))) AS events`,
    { prefix: LOADTEST_SOURCE },
  )
  if (Number(found?.runs ?? 0) > 0 || Number(found?.events ?? 0) > 0) {
    throw new LoadtestDatabaseError(
      `the database ${store.database} holds billing data (${found?.runs} ingest run(s), ${found?.events} event(s) not written by a load test): a load test writes only to a database of its own; pick another --database`,
    )
  }
}

export async function dropLoadtestDatabase(store: Store): Promise<void> {
  await assertLoadtestDatabase(store)
  await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.db} SYNC` })
}

export interface StoredCount {
  /** Distinct (customer, transaction_id) of the run, as invoices see them (FINAL). */
  events: number
  /** Rows of the run before de-duplication: more than `events` when an event was stored twice. */
  rows: number
}

/** Counted back from the store: the run's events, once with FINAL and once row by row. */
export async function countLoadtestEvents(store: Store, run: number): Promise<StoredCount> {
  const where = `version >= bitShiftLeft(toUInt64({run:UInt32}), 32)
      AND version < bitShiftLeft(toUInt64({run:UInt32}) + 1, 32)`
  const [final] = await queryRows<{ n: string }>(
    store,
    `SELECT toString(count()) AS n FROM ${store.db}.events FINAL WHERE ${where}`,
    { run },
  )
  const [all] = await queryRows<{ n: string }>(
    store,
    `SELECT toString(count()) AS n FROM ${store.db}.events WHERE ${where}`,
    { run },
  )
  return { events: Number(final?.n ?? 0), rows: Number(all?.n ?? 0) }
}

/** The engine's own counters that say where its time went (ClickHouse ProfileEvents). */
export const ENGINE_COUNTERS = [
  'InsertQueryTimeMicroseconds',
  'MergeTreeDataWriterSortingBlocksMicroseconds',
  'MergeTreeDataWriterRows',
  'MergeTreeDataWriterUncompressedBytes',
  'MergeTreeDataWriterCompressedBytes',
  'Merge',
  'MergedRows',
  'MergeTotalMilliseconds',
] as const

export type EngineCounters = Record<string, number>

/** Process-wide counters (embedded) or server-wide ones: a difference of two reads is what happened between. */
export async function readEngineCounters(store: Store): Promise<EngineCounters> {
  const found = await queryRows<{ event: string; value: string }>(
    store,
    `SELECT event, toString(value) AS value FROM system.events WHERE event IN {names:Array(String)}`,
    { names: [...ENGINE_COUNTERS] },
  )
  return Object.fromEntries(found.map((r) => [r.event, Number(r.value)]))
}

export function counterDelta(before: EngineCounters, after: EngineCounters): EngineCounters {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]))
}

/** Active parts of the events table: many small parts mean merges are behind. */
export async function activeParts(store: Store): Promise<number> {
  const [found] = await queryRows<{ n: string }>(
    store,
    `SELECT toString(count()) AS n FROM system.parts
WHERE database = {database:String} AND table = 'events' AND active`,
    { database: store.database },
  )
  return Number(found?.n ?? 0)
}
