// What a load test asks of the store besides storing events: its own database (never one holding
// billing data), the count of what arrived, the engine's own counters, and dropping the database.
import { STAMP_OF_SQL, stampVersions } from '../store/event-versions.js'
import type { Store } from '../store/store.js'

/** Sources of a load test's run record start with this, which marks the database as a load test's. */
export const LOADTEST_SOURCE = 'loadtest:'

export class LoadtestDatabaseError extends Error {}

/**
 * Refuses a database that holds anything but load-test events: synthetic traffic must never mix with
 * billing data, and the database is dropped at the end. An event is a load test's when its version
 * lies in the version range of a load-test run.
 */
export async function assertLoadtestDatabase(store: Store): Promise<void> {
  const [found] = await store.rows<{ runs: string; events: string }>(
    `WITH loadtest_runs AS
(
    SELECT first_version, last_version FROM ${store.db}.ingest_runs
    WHERE notEmpty(sources) AND arrayAll(s -> startsWith(s, {prefix:String}), sources)
)
SELECT
    (SELECT toString(count()) FROM ${store.db}.ingest_runs
     WHERE empty(sources) OR NOT arrayAll(s -> startsWith(s, {prefix:String}), sources)) AS runs,
    (SELECT toString(count()) FROM ${store.db}.events AS e
     WHERE NOT arrayExists(r -> e.version >= r.1 AND e.version <= r.2,
                           (SELECT groupArray((first_version, last_version)) FROM loadtest_runs))) AS events`,
    { params: { prefix: LOADTEST_SOURCE } },
  )
  if (Number(found?.runs ?? 0) > 0 || Number(found?.events ?? 0) > 0) {
    throw new LoadtestDatabaseError(
      `the database ${store.database} holds billing data (${found?.runs} ingest run(s), ${found?.events} event(s) not written by a load test): a load test writes only to a database of its own; pick another --database`,
    )
  }
}

export async function dropLoadtestDatabase(store: Store): Promise<void> {
  await assertLoadtestDatabase(store)
  await store.command(`DROP DATABASE IF EXISTS ${store.db} SYNC`)
}

export interface StoredCount {
  /** Distinct events (customer, transaction_id) of the run in the table. */
  events: number
  /** Rows of the run in the table: more than `events` where a copy was stored twice. */
  rows: number
}

/**
 * Counted back from the store: the run's rows, row by row (no FINAL, so that a copy stored twice is
 * seen as two) and as distinct events. Every generated event has its own transaction id.
 */
export async function countLoadtestEvents(store: Store, stamps: number[]): Promise<StoredCount> {
  if (stamps.length === 0) return { events: 0, rows: 0 }
  const [row] = await store.rows<{ rows: string; events: string }>(
    `SELECT toString(count()) AS rows, toString(uniqExact(customer, tx_key, transaction_id)) AS events
FROM ${store.db}.events
WHERE version >= toUInt64({lo:String}) AND version < toUInt64({hi:String})
  AND ${STAMP_OF_SQL('version')} IN {stamps:Array(UInt64)} AND is_deleted = 0`,
    {
      params: {
        lo: stampVersions(Math.min(...stamps)).first.toString(),
        hi: stampVersions(Math.max(...stamps)).end.toString(),
        stamps,
      },
    },
  )
  return { events: Number(row?.events ?? 0), rows: Number(row?.rows ?? 0) }
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
  const found = await store.rows<{ event: string; value: string }>(
    `SELECT event, toString(value) AS value FROM system.events WHERE event IN {names:Array(String)}`,
    { params: { names: [...ENGINE_COUNTERS] } },
  )
  return Object.fromEntries(found.map((r) => [r.event, Number(r.value)]))
}

export function counterDelta(before: EngineCounters, after: EngineCounters): EngineCounters {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]))
}
