// Copies of events, after a run has stored its batches: how many of the run's events were new and
// how many were stored before, and the retirement of copies that the newest one cannot replace in
// place. Within a partition (a month) and a code, the newest copy replaces the others by itself
// (ReplacingMergeTree, FINAL). A copy that moves the event to another month or code lands under
// another key: for each such older copy a tombstone (is_deleted, one version below the newest) goes
// into the older copy's place, so that every query, however it prunes partitions, sees one event.
//
// It costs one pass over the stored transaction keys (the run's keys may be anywhere), in slices of
// at most SLICE_ROWS of the run's rows, so that memory stays bounded however large the run.
import { STAMP_OF_SQL, stampVersions, TOMBSTONE_VERSION_SQL } from './event-versions.js'
import type { Store } from './store.js'

export interface RunCopies {
  /** Rows of the run in the table now (more than its events when a batch was stored twice). */
  rows: number
  /** Distinct events among them. */
  events: number
  /** Of those, events that had a copy stored before this run. */
  alreadyStored: number
  /** Older copies in another month or code retired by a tombstone. */
  retired: number
}

/** The run's rows are those of its batch stamps. */
export interface RunStamps {
  stamps: number[]
}

const SLICE_ROWS = 500_000

export async function settleRunCopies(store: Store, run: RunStamps): Promise<RunCopies> {
  const total: RunCopies = { rows: 0, events: 0, alreadyStored: 0, retired: 0 }
  if (run.stamps.length === 0) return total
  const range = {
    lo: stampVersions(Math.min(...run.stamps)).first.toString(),
    hi: stampVersions(Math.max(...run.stamps)).end.toString(),
    stamps: run.stamps,
  }
  for (const slice of await slicesOf(store, range)) {
    const copies = await settleSlice(store, { ...range, ...slice.params }, slice.where)
    total.rows += copies.rows
    total.events += copies.events
    total.alreadyStored += copies.alreadyStored
    total.retired += copies.retired
  }
  return total
}

/**
 * Most runs bring new events only, a few of them twice in the same place: each step below reads no
 * more than the answer needs, and only moved events (rare) reach the tombstone pass.
 */
async function settleSlice(store: Store, params: Record<string, unknown>, where: string): Promise<RunCopies> {
  const counts = (sql: string) => store.rows<Record<string, string>>(sql, { params }).then((r) => r[0] ?? {})
  const quick = await counts(quickSql(store.db, where))
  const rows = Number(quick.rows ?? 0)
  if (Number(quick.others ?? 0) === 0) {
    // No other run's copies: only this run's own repeats to count.
    if (quick.keys === quick.rows) return { rows, events: rows, alreadyStored: 0, retired: 0 }
    const own = await counts(ownCopiesSql(store.db, where))
    if (own.events === own.places) return { rows, events: Number(own.events), alreadyStored: 0, retired: 0 }
  }
  const all = await counts(allCopiesSql(store.db, where))
  const moved = Number(all.moved ?? 0) > 0
  return {
    rows: Number(all.rows ?? 0),
    events: Number(all.events ?? 0),
    alreadyStored: Number(all.already ?? 0),
    retired: moved ? (await store.insert(tombstonesSql(store.db, where), { params })).writtenRows : 0,
  }
}

/** The run's rows: its version range (the minmax index finds their granules) and its stamps. */
const MINE = `version >= toUInt64({lo:String}) AND version < toUInt64({hi:String}) AND ${STAMP_OF_SQL('version')} IN {stamps:Array(UInt64)}`

interface Slice {
  where: string
  params: Record<string, unknown>
}

/**
 * Customer ranges holding at most SLICE_ROWS of the run's rows each; a customer with more is cut by
 * a hash of the key. A slice reads only its customers' part of the table.
 */
async function slicesOf(store: Store, range: { lo: string; hi: string; stamps: number[] }): Promise<Slice[]> {
  const counts = await store.rows<{ customer: string; n: string }>(
    `SELECT customer, toString(count()) AS n FROM ${store.db}.events WHERE ${MINE} GROUP BY customer ORDER BY customer`,
    { params: range },
  )
  const slices: Slice[] = []
  const between = `customer >= {c_from:String} AND customer <= {c_to:String}`
  let from: string | undefined
  let rows = 0
  const close = (to: string) => {
    if (from !== undefined) slices.push({ where: between, params: { c_from: from, c_to: to } })
    from = undefined
    rows = 0
  }
  let previous = ''
  for (const { customer, n } of counts) {
    const size = Number(n)
    if (size > SLICE_ROWS) {
      close(previous)
      const parts = Math.ceil(size / SLICE_ROWS)
      for (let part = 0; part < parts; part++) {
        slices.push({
          where: `customer = {c_from:String} AND cityHash64(tx_key) % {parts:UInt32} = {part:UInt32}`,
          params: { c_from: customer, parts, part },
        })
      }
    } else {
      if (rows + size > SLICE_ROWS) close(previous)
      from ??= customer
      rows += size
    }
    previous = customer
  }
  close(previous)
  return slices
}

/** The slice's rows with one of the run's transaction keys: the run's own, and other runs' copies. */
function withRunKeys(db: string, where: string): string {
  return `${db}.events
    WHERE ${where}
      AND tx_key IN (SELECT tx_key FROM ${db}.events WHERE ${where} AND ${MINE})`
}

/**
 * The slice's run rows, how many distinct transaction keys they hold (when every row has its own,
 * no event came twice), and `others`: live rows of other runs that share one of the run's keys.
 */
function quickSql(db: string, where: string): string {
  return `SELECT toString(count()) AS rows,
       toString(uniqExact(tx_key)) AS keys,
       (SELECT toString(count()) FROM ${withRunKeys(db, where)} AND is_deleted = 0 AND NOT (${MINE})) AS others
FROM ${db}.events
WHERE ${where} AND ${MINE}`
}

/** The run's distinct events, and its distinct (event, code, month): equal when none moved within the run. */
function ownCopiesSql(db: string, where: string): string {
  return `SELECT toString(uniqExact(customer, tx_key, transaction_id)) AS events,
       toString(uniqExact(customer, tx_key, transaction_id, code, toYYYYMM(timestamp))) AS places
FROM ${db}.events
WHERE ${where} AND ${MINE}`
}

/**
 * Per event of the run, over every copy with its key: the run's rows, whether a live copy of an
 * earlier run was there before, and in how many places (code, month) its copies are.
 */
function allCopiesSql(db: string, where: string): string {
  return `SELECT toString(sum(copies)) AS rows,
       toString(count()) AS events,
       toString(countIf(already)) AS already,
       toString(countIf(places > 1)) AS moved
FROM
(
    SELECT countIf(${MINE}) AS copies,
           ifNull(minOrNullIf(version, NOT (${MINE}) AND is_deleted = 0) < maxIf(version, ${MINE}), 0) AS already,
           uniqExact(code, toYYYYMM(timestamp)) AS places
    FROM ${withRunKeys(db, where)}
    GROUP BY customer, tx_key, transaction_id
    HAVING copies > 0
)`
}

/**
 * Tombstones for the run's moved events: every place (code, month) whose top copy is older than the
 * event's newest and still alive gets one, one version below the newest, at that copy's time.
 */
function tombstonesSql(db: string, where: string): string {
  return `INSERT INTO ${db}.events (customer, code, tx_key, transaction_id, timestamp, properties, version, is_deleted)
SELECT customer, place.3, tx_key, transaction_id, place.4, map(), ${TOMBSTONE_VERSION_SQL('newest')}, 1
FROM
(
    SELECT customer, tx_key, transaction_id,
           sum(mine_rows) AS copies,
           max(top) AS newest,
           arrayFilter(p -> p.1 < newest AND p.2 = 0, groupArray((top, top_deleted, code, top_ts))) AS stale
    FROM
    (
        SELECT customer, tx_key, transaction_id, code, toYYYYMM(timestamp) AS month,
               max(version) AS top,
               argMax(is_deleted, version) AS top_deleted,
               argMax(timestamp, version) AS top_ts,
               countIf(${MINE}) AS mine_rows
        FROM ${withRunKeys(db, where)}
        GROUP BY customer, tx_key, transaction_id, code, month
    )
    GROUP BY customer, tx_key, transaction_id
    HAVING copies > 0 AND notEmpty(stale)
)
ARRAY JOIN stale AS place`
}
