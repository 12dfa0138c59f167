// Background merges of the events table, paused while an embedded ingest writes to it (and held by a
// load test until it has counted its run: see src/loadtest/loadtest.ts).
//
// Each INSERT of an ingest makes a part; with merges running, the engine merges those parts again
// and again while the ingest still writes (measured: 3.9 s of CPU for 5M events, a quarter of the
// run's CPU on two cores). Paused, the parts wait and are merged once, in the background of a later
// command; FINAL keeps every query exact meanwhile. Only runs that will leave the table with fewer than
// MAX_PAUSED_PARTS active parts (those of earlier runs included) pause: reading many parts at once is
// what costs memory, and a backlog of parts merged all at once while the ingest still writes took a
// 20M-event run to 692 MB, against 568 MB with merges running from the start. The pause also ends at
// that many parts should the estimate fall short. Ingest pauses only the embedded engine's merges: on a
// server the table is shared with other writers, and its merges are its own.
import type { Store } from './store.js'

/** Active parts of the events table up to which an ingest keeps merges paused. */
export const MAX_PAUSED_PARTS = 40

/**
 * The merges of a table stopped until `end`, or until it holds `maxParts` active parts, checked after
 * each INSERT (a large INSERT makes several parts). Ingest pauses to merge once instead of again and
 * again; the load test holds them so that a copy stored twice is counted as two rows (loadtest.ts).
 */
export class MergePause {
  /** Whether no merge could run from the start: false once the part limit ended the pause. */
  heldThroughout: boolean

  private constructor(
    private readonly store: Store,
    private readonly maxParts: number,
    /** Whether this pause is holding the table's merges. */
    private stopped: boolean,
  ) {
    this.heldThroughout = stopped
  }

  get paused(): boolean {
    return this.stopped
  }

  /** A pause that stops nothing: the merges run as ever. */
  static none(store: Store): MergePause {
    return new MergePause(store, 0, false)
  }

  /**
   * Stops the merges. A server that refuses (a user without the SYSTEM privilege) keeps them running,
   * and the pause says so; the embedded engine refusing is an error.
   */
  static async begin(store: Store, maxParts: number): Promise<MergePause> {
    try {
      await stopMerges(store)
    } catch (e) {
      if (store.kind === 'embedded') throw e
      return MergePause.none(store)
    }
    return new MergePause(store, maxParts, true)
  }

  /** Told after each INSERT: at `maxParts` active parts the merges run again. */
  async inserted(): Promise<void> {
    if (!this.stopped || (await activeParts(this.store)) < this.maxParts) return
    this.heldThroughout = false
    await this.end()
  }

  /** Merges run again (also when the process ends: the pause is not stored anywhere). */
  async end(): Promise<void> {
    if (!this.stopped) return
    await startMerges(this.store)
    this.stopped = false
  }
}

/**
 * An ingest's pause: embedded only, and only when the run will leave the table with fewer than
 * MAX_PAUSED_PARTS active parts. `expectedParts`: how many INSERTs the run will make, or null when it
 * cannot be told.
 */
export async function ingestPause(store: Store, expectedParts: number | null): Promise<MergePause> {
  if (store.kind !== 'embedded' || expectedParts === null) return MergePause.none(store)
  if ((await activeParts(store)) + expectedParts >= MAX_PAUSED_PARTS) return MergePause.none(store)
  return MergePause.begin(store, MAX_PAUSED_PARTS)
}

export async function stopMerges(store: Store): Promise<void> {
  await store.command(`SYSTEM STOP MERGES ${store.db}.events`)
}

export async function startMerges(store: Store): Promise<void> {
  await store.command(`SYSTEM START MERGES ${store.db}.events`)
}

/** Active parts of the events table (the engine's own count, whoever wrote them). */
export async function activeParts(store: Store): Promise<number> {
  const [row] = await store.rows<{ n: string }>(
    `SELECT toString(count()) AS n FROM system.parts WHERE database = {db:String} AND table = 'events' AND active`,
    { params: { db: store.database } },
  )
  return Number(row?.n ?? 0)
}
