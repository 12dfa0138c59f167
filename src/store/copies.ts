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

const SLICE_ROWS = 1_000_000

export async function settleRunCopies(store: Store, run: RunStamps): Promise<RunCopies> {
  const total: RunCopies = { rows: 0, events: 0, alreadyStored: 0, retired: 0 }
  if (run.stamps.length === 0) return total
  const range = {
    lo: stampVersions(Math.min(...run.stamps)).first.toString(),
    hi: stampVersions(Math.max(...run.stamps)).end.toString(),
    stamps: run.stamps,
  }
  for (const slice of await slicesOf(store, range)) {
    const params = { ...range, ...slice.params }
    const [counts] = await store.rows<Record<'rows' | 'events' | 'already' | 'moved', string>>(
      countsSql(store.db, slice.where),
      { params },
    )
    total.rows += Number(counts?.rows ?? 0)
    total.events += Number(counts?.events ?? 0)
    total.alreadyStored += Number(counts?.already ?? 0)
    // Rare: only events that moved need the second pass.
    if (Number(counts?.moved ?? 0) > 0) {
      total.retired += (await store.insert(tombstonesSql(store.db, slice.where), { params })).writtenRows
    }
  }
  return total
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

/**
 * Every copy of the slice's run events, per place (code and month): the top version there, whether
 * it is a tombstone, and which rows are the run's own. Then per event: its newest copy and the places
 * whose top copy is older and alive, which need a tombstone.
 */
function perEventSql(db: string, where: string): string {
  return `SELECT customer, tx_key, transaction_id,
       sum(mine_rows) AS copies,
       max(top) AS newest,
       ifNull(min(other_oldest) < max(mine_top), 0) AS already,
       arrayFilter(p -> p.1 < newest AND p.2 = 0, groupArray((top, top_deleted, code, top_ts))) AS stale
FROM
(
    SELECT customer, tx_key, transaction_id, code, toYYYYMM(timestamp) AS month,
           max(version) AS top,
           argMax(is_deleted, version) AS top_deleted,
           argMax(timestamp, version) AS top_ts,
           countIf(${MINE}) AS mine_rows,
           maxIf(version, ${MINE}) AS mine_top,
           minOrNullIf(version, NOT (${MINE}) AND is_deleted = 0) AS other_oldest
    FROM ${db}.events
    WHERE ${where}
      AND tx_key IN (SELECT tx_key FROM ${db}.events WHERE ${where} AND ${MINE})
    GROUP BY customer, tx_key, transaction_id, code, month
)
GROUP BY customer, tx_key, transaction_id
HAVING copies > 0`
}

function countsSql(db: string, where: string): string {
  return `SELECT toString(sum(copies)) AS rows,
       toString(count()) AS events,
       toString(countIf(already)) AS already,
       toString(countIf(notEmpty(stale))) AS moved
FROM (${perEventSql(db, where)})`
}

function tombstonesSql(db: string, where: string): string {
  return `INSERT INTO ${db}.events (customer, code, tx_key, transaction_id, timestamp, properties, version, is_deleted)
SELECT customer, place.3, tx_key, transaction_id, place.4, map(), ${TOMBSTONE_VERSION_SQL('newest')}, 1
FROM (${perEventSql(db, where)})
ARRAY JOIN stale AS place`
}
