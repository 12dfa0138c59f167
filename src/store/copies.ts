// Copies of events, after a run has stored its batches: how many of the run's events were new and
// how many were stored before, and the retirement of copies that the newest one cannot replace in
// place. Within a partition (a month) and a code, the newest copy replaces the others by itself
// (ReplacingMergeTree, FINAL). A copy that moves the event to another month or code lands under
// another key: for each such older copy a tombstone (is_deleted, one version below the newest) goes
// into the older copy's place, so that every query, however it prunes partitions, sees one event.
//
// It costs one pass over the stored transaction keys (the run's keys may be anywhere: every stored
// key is read and looked up in the set of the run's), none when the table holds only the run's rows,
// and one over the run's own keys for its repeats; in slices of at most SLICE_ROWS of the run's rows,
// so that memory stays bounded however large the run.
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

/**
 * At most this many of the run's rows are settled at once, and at most EVERY_COPY_ROWS in the pass
 * over every copy (its groups hold several aggregates each): the engine's memory stays bounded.
 * Measured at 5M events: 500,000 rows a slice took the settling of a first ingest 2.3 s, 2M 1.2 s.
 */
export const SLICE_ROWS = 2_000_000
export const EVERY_COPY_ROWS = 500_000

export interface SettleOptions {
  sliceRows?: number
  everyCopyRows?: number
}

export async function settleRunCopies(
  store: Store,
  run: RunStamps,
  options: SettleOptions = {},
): Promise<RunCopies> {
  const total: RunCopies = { rows: 0, events: 0, alreadyStored: 0, retired: 0 }
  if (run.stamps.length === 0) return total
  const range = {
    lo: stampVersions(Math.min(...run.stamps)).first.toString(),
    hi: stampVersions(Math.max(...run.stamps)).end.toString(),
    stamps: run.stamps,
  }
  // A table that holds nothing but the run's rows (a first ingest) has no other copies to look for.
  const alone = !(await holdsOtherRows(store, range))
  const everyCopyRows = options.everyCopyRows ?? EVERY_COPY_ROWS
  const slices = slicesOf(await runRowsByCustomer(store, range), options.sliceRows ?? SLICE_ROWS)
  for (const slice of slices) {
    // One slice holds all the run's customers: the look for other copies reads the whole table, and
    // testing each row's customer against the slice's range would only add to it (~1 s at 100M rows).
    const scan = slices.length === 1 ? 'true' : slice.where
    add(total, await settleSlice(store, { ...range, ...slice.params }, slice, scan, alone, everyCopyRows))
  }
  return total
}

function add(total: RunCopies, copies: RunCopies): void {
  total.rows += copies.rows
  total.events += copies.events
  total.alreadyStored += copies.alreadyStored
  total.retired += copies.retired
}

/**
 * Most runs bring new events only, a few of them twice in the same place: each step below reads no
 * more than the answer needs, and only events stored before (or moved within the run) reach the
 * pass over every copy, and only moved ones the tombstones.
 */
async function settleSlice(
  store: Store,
  params: Record<string, unknown>,
  slice: Slice,
  /** The stored rows to look among for other copies of the slice's keys. */
  scan: string,
  alone: boolean,
  everyCopyRows: number,
): Promise<RunCopies> {
  const first = (sql: string) => firstRow(store, sql, params)
  if (alone || Number((await first(othersSql(store.db, slice.where, scan))).others ?? 0) === 0) {
    const own = await first(ownRepeatsSql(store.db, slice.where))
    if (Number(own.moved ?? 0) === 0) {
      const rows = Number(own.rows ?? 0)
      const events = rows - Number(own.repeated_rows ?? 0) + Number(own.repeated_events ?? 0)
      return { rows, events, alreadyStored: 0, retired: 0 }
    }
  }
  const total: RunCopies = { rows: 0, events: 0, alreadyStored: 0, retired: 0 }
  for (const part of smallerSlices(slice, everyCopyRows)) {
    add(total, await settleEveryCopy(store, { ...params, ...part.params }, part.where))
  }
  return total
}

/** The slice again in slices of at most `rows` of the run's rows (a customer's share: by another hash). */
function smallerSlices(slice: Slice, rows: number): Slice[] {
  if (slice.rows <= rows) return [slice]
  if (slice.customers) return slicesOf(slice.customers, rows)
  const parts = Math.ceil(slice.rows / rows)
  return Array.from({ length: parts }, (_, part) => ({
    where: `${slice.where} AND sipHash64(tx_key) % {sub_parts:UInt32} = {sub_part:UInt32}`,
    params: { ...slice.params, sub_parts: parts, sub_part: part },
    rows: Math.ceil(slice.rows / parts),
  }))
}

/** The pass over every copy of the (part of the) slice's events, and the tombstones when one moved. */
async function settleEveryCopy(
  store: Store,
  params: Record<string, unknown>,
  where: string,
): Promise<RunCopies> {
  const all = await firstRow(store, allCopiesSql(store.db, where), params)
  const moved = Number(all.moved ?? 0) > 0
  return {
    rows: Number(all.rows ?? 0),
    events: Number(all.events ?? 0),
    alreadyStored: Number(all.already ?? 0),
    retired: moved
      ? (await store.insert(tombstonesSql(store.db, where), { params, settings: SETTINGS })).writtenRows
      : 0,
  }
}

/**
 * The run's keys are a set of up to a slice's rows: matching them through the primary key (the
 * default for IN with a subquery) took 30-50x the time of a plain scan of the slice's range (6.9 s
 * against 0.14 s for 2M keys, measured) and ~1 GB.
 */
const SETTINGS = { use_index_for_in_with_subqueries: 0 } as const

async function firstRow(
  store: Store,
  sql: string,
  params: Record<string, unknown>,
): Promise<Record<string, string>> {
  const [row] = await store.rows<Record<string, string>>(sql, { params, settings: SETTINGS })
  return row ?? {}
}

/** The run's version range: the minmax index finds (or skips) its granules. */
const IN_RANGE = `version >= toUInt64({lo:String}) AND version < toUInt64({hi:String})`
/** The run's rows: its version range and its stamps. */
const MINE = `${IN_RANGE} AND ${STAMP_OF_SQL('version')} IN {stamps:Array(UInt64)}`

/**
 * Whether the table holds any row that is not the run's: outside its version range (the minmax
 * index skips the run's granules) or, within it, of another run's stamps.
 */
async function holdsOtherRows(store: Store, params: Record<string, unknown>): Promise<boolean> {
  const any = (where: string) =>
    `(SELECT count() FROM (SELECT 1 FROM ${store.db}.events WHERE ${where} LIMIT 1))`
  const [row] = await store.rows<{ others: number }>(
    `SELECT ${any(`NOT (${IN_RANGE})`)} +
       ${any(`${IN_RANGE} AND ${STAMP_OF_SQL('version')} NOT IN {stamps:Array(UInt64)}`)} AS others`,
    { params },
  )
  return Number(row?.others ?? 0) > 0
}

/**
 * Per event (a GROUP BY of its copies): whether its copies are in more than one place (code, month).
 * (The min/max of the (code, month) tuple instead: 2.7x the time and twice the memory, measured.)
 */
const MOVED = `(min(code) != max(code) OR min(toYYYYMM(timestamp)) != max(toYYYYMM(timestamp))) AS moved`

interface Slice {
  where: string
  params: Record<string, unknown>
  /** The run's rows in it (a customer cut by hash: its share). */
  rows: number
  /** A range of whole customers: theirs, and their run rows. */
  customers?: CustomerRows[]
}

interface CustomerRows {
  customer: string
  n: string
}

async function runRowsByCustomer(store: Store, range: Record<string, unknown>): Promise<CustomerRows[]> {
  return store.rows<CustomerRows>(
    `SELECT customer, toString(count()) AS n FROM ${store.db}.events WHERE ${MINE} GROUP BY customer ORDER BY customer`,
    { params: range },
  )
}

/**
 * Customer ranges holding at most SLICE_ROWS of the run's rows each; a customer with more is cut by
 * a hash of the key. A slice reads only its customers' part of the table.
 */
function slicesOf(counts: CustomerRows[], sliceRows: number): Slice[] {
  const slices: Slice[] = []
  const between = `customer >= {c_from:String} AND customer <= {c_to:String}`
  let first = 0
  let rows = 0
  const close = (end: number) => {
    if (end > first) {
      const customers = counts.slice(first, end)
      const params = { c_from: customers[0]!.customer, c_to: customers.at(-1)!.customer }
      slices.push({ where: between, params, rows, customers })
    }
    first = end
    rows = 0
  }
  for (const [i, { customer, n }] of counts.entries()) {
    const size = Number(n)
    if (size > sliceRows) {
      close(i)
      first = i + 1
      const parts = Math.ceil(size / sliceRows)
      for (let part = 0; part < parts; part++) {
        slices.push({
          where: `customer = {c_from:String} AND cityHash64(tx_key) % {parts:UInt32} = {part:UInt32}`,
          params: { c_from: customer, parts, part },
          rows: Math.ceil(size / parts),
        })
      }
    } else {
      if (rows + size > sliceRows) close(i)
      rows += size
    }
  }
  close(counts.length)
  return slices
}

/** The slice's rows with one of the run's transaction keys: the run's own, and other runs' copies. */
function withRunKeys(db: string, where: string): string {
  return `${db}.events
    WHERE ${where}
      AND tx_key IN (SELECT tx_key FROM ${db}.events WHERE ${where} AND ${MINE})`
}

/**
 * The 64 bits of a transaction key that the look for other copies compares: both halves of it
 * folded, so that keys alike in one half (time-based UUIDs) still differ. Equal keys have equal
 * folds; a fold shared by two different keys only sends the slice to the exact pass below.
 * (Against the whole key: 2.2-2.3 s instead of 3.3-3.4 s for 1M run keys over 100M stored rows.)
 */
const KEY_FOLD = `toUInt64(bitXor(bitShiftRight(toUInt128(tx_key), 64), bitAnd(toUInt128(tx_key), 18446744073709551615)))`

/**
 * `others`: 1 when a live row of another run, among the rows of `scan`, may share one of the slice's
 * run keys (its key's fold is one of theirs); 0 when none does.
 */
function othersSql(db: string, where: string, scan: string): string {
  return `SELECT count() AS others
FROM
(
    SELECT 1 FROM ${db}.events
    PREWHERE ${scan} AND ${KEY_FOLD} IN (SELECT ${KEY_FOLD} FROM ${db}.events WHERE ${where} AND ${MINE})
    WHERE is_deleted = 0 AND NOT (${MINE})
    LIMIT 1
)`
}

/**
 * The slice's run rows, and for its transaction keys that come more than once: their rows, their
 * distinct events, and how many of those are in more than one place within the run.
 */
function ownRepeatsSql(db: string, where: string): string {
  return `SELECT (SELECT toString(count()) FROM ${db}.events WHERE ${where} AND ${MINE}) AS rows,
       toString(sum(copies)) AS repeated_rows,
       toString(count()) AS repeated_events,
       toString(countIf(moved)) AS moved
FROM
(
    SELECT count() AS copies, ${MOVED}
    FROM ${db}.events
    WHERE ${where} AND ${MINE}
      AND tx_key IN (SELECT tx_key FROM ${db}.events WHERE ${where} AND ${MINE} GROUP BY tx_key HAVING count() > 1)
    GROUP BY customer, tx_key, transaction_id
)`
}

/**
 * Per event of the run, over every copy with its key: the run's rows, whether a live copy of an
 * earlier run was there before, and whether its copies are in more than one place.
 */
function allCopiesSql(db: string, where: string): string {
  return `SELECT toString(sum(copies)) AS rows,
       toString(count()) AS events,
       toString(countIf(already)) AS already,
       toString(countIf(moved)) AS moved
FROM
(
    SELECT countIf(${MINE}) AS copies,
           ifNull(minOrNullIf(version, NOT (${MINE}) AND is_deleted = 0) < maxIf(version, ${MINE}), 0) AS already,
           ${MOVED}
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
