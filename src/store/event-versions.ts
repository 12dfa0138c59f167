// Which copy of an event wins: the one ingested last. This file is the rule's one home.
//
// An event is one (customer, transaction_id). Every stored copy carries a `version`; wherever two
// copies meet, the higher version wins (ReplacingMergeTree within a partition, the tombstones of
// copies.ts across partitions and codes). A version is
//
//     stamp (42 bits) | place of the line in its batch (21 bits) | 0 (1 bit)
//
// The stamp is the time the batch was stored, in milliseconds since 2020-01-01 (room until 2159),
// taken from the store's clock and never below an earlier stamp of this process or of a run recorded
// in the store: a batch stored later wins, and within a batch (lines in file order) the later line.
// Two processes storing the same event in the same millisecond tie, and then the copy written last
// wins, as it does between equal versions in ClickHouse. The last bit is 1 only for tombstones, one
// below the version they make way for, so that no real copy ever ties with one.

/**
 * Reading the winners: `FROM ${NEWEST_COPIES(db)}` with NEWEST_COPIES_SETTINGS gives one row per
 * event, its newest copy. FINAL keeps the highest version of each key (tombstones drop out), and
 * each month's partition is merged on its own: a copy never needs to meet one in another month,
 * since a move leaves a tombstone in the old place.
 */
export const NEWEST_COPIES = (db: string) => `${db}.events FINAL`
export const NEWEST_COPIES_SETTINGS = { do_not_merge_across_partitions_select_final: 1 } as const

export const STAMP_EPOCH_MS = Date.UTC(2020, 0, 1)
const PLACE_BITS = 21
const STAMP_SHIFT = PLACE_BITS + 1

/** The most lines one batch (one INSERT) may span: every line needs its own place. */
export const MAX_BATCH_LINES = 2 ** PLACE_BITS

/** The first version of a stamp, and the one past its last. */
export function stampVersions(stamp: number): { first: bigint; end: bigint } {
  return { first: BigInt(stamp) << BigInt(STAMP_SHIFT), end: BigInt(stamp + 1) << BigInt(STAMP_SHIFT) }
}

/**
 * SQL for the version of a staging row: `seq` is the line's place in the run, `{stamp:UInt64}` the
 * batch's stamp and `{first_seq:UInt64}` the place of its first line.
 */
export const VERSION_SQL = `bitShiftLeft({stamp:UInt64}, ${STAMP_SHIFT}) + bitShiftLeft(seq - {first_seq:UInt64}, 1)`

/** SQL: the version of the tombstone that retires copies older than `newest`. */
export const TOMBSTONE_VERSION_SQL = (newest: string) => `${newest} - 1`

/** SQL: the stamp of a version. */
export const STAMP_OF_SQL = (version: string) => `bitShiftRight(${version}, ${STAMP_SHIFT})`

/** Stamps for the batches of one process: increasing, on the store's clock. */
export class StampClock {
  private last: number

  /**
   * `offsetMs`: the store's clock minus this machine's (0 for the embedded engine).
   * `floor`: the highest stamp already used in the store; every stamp given out is above it.
   */
  constructor(
    private readonly offsetMs: number,
    floor: number,
    private readonly now: () => number = Date.now,
  ) {
    this.last = floor
  }

  next(): number {
    const stamp = Math.max(this.last + 1, Math.floor(this.now() + this.offsetMs - STAMP_EPOCH_MS))
    if (stamp >= 2 ** 42) throw new RangeError('version stamps run out in 2159')
    this.last = stamp
    return stamp
  }
}

/** The highest stamp a recorded version holds (the floor of the next run's clock). */
export function stampOf(version: bigint): number {
  return Number(version >> BigInt(STAMP_SHIFT))
}
