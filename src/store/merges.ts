// Background merges of the events table, paused while an embedded ingest writes to it.
//
// Each INSERT of an ingest makes a part; with merges running, the engine merges those parts again
// and again while the ingest still writes (measured: 3.9 s of CPU for 5M events, a quarter of the
// run's CPU on two cores). Paused, the parts wait and are merged once, in the background of a later
// command; FINAL keeps every query exact meanwhile. Only runs that will leave the table with fewer than
// MAX_PAUSED_PARTS active parts (those of earlier runs included) pause: reading many parts at once is
// what costs memory, and a backlog of parts merged all at once while the ingest still writes took a
// 20M-event run to 692 MB, against 568 MB with merges running from the start. The pause also ends at
// that many parts should the estimate fall short. Only the embedded engine: on a server the table is
// shared with other writers, and its merges are its own.
import type { Store } from './store.js'

/** Active parts of the events table up to which an ingest keeps merges paused. */
export const MAX_PAUSED_PARTS = 40

export class MergePause {
  private constructor(
    private readonly store: Store,
    /** Whether this ingest is holding the table's merges. */
    private stopped: boolean,
  ) {}

  get paused(): boolean {
    return this.stopped
  }

  /** `expectedParts`: how many INSERTs the run will make, or null when it cannot be told. */
  static async begin(store: Store, expectedParts: number | null): Promise<MergePause> {
    if (store.kind !== 'embedded' || expectedParts === null) return new MergePause(store, false)
    if ((await activeParts(store)) + expectedParts >= MAX_PAUSED_PARTS) return new MergePause(store, false)
    await stopMerges(store)
    return new MergePause(store, true)
  }

  /** Told after each INSERT into the events table; the parts are counted (a large INSERT makes several). */
  async inserted(): Promise<void> {
    if (!this.stopped) return
    if ((await activeParts(this.store)) >= MAX_PAUSED_PARTS) await this.end()
  }

  /** Merges run again (also when the process ends: the pause is not stored anywhere). */
  async end(): Promise<void> {
    if (!this.stopped) return
    await startMerges(this.store)
    this.stopped = false
  }
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
