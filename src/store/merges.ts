// Background merges of the events table, paused while an embedded ingest writes to it.
//
// Each INSERT of an ingest makes a part; with merges running, the engine merges those parts again
// and again while the ingest still writes (measured: 3.9 s of CPU for 5M events, a quarter of the
// run's CPU on two cores). Paused, the parts wait and are merged once, in the background of the
// next command that opens the store; FINAL keeps every query exact meanwhile. A run that writes very
// many parts resumes merges early, so the part count stays far below the engine's limits. Only the
// embedded engine: on a server the table is shared with other writers, and its merges are its own.
import type { Store } from './connect.js'

/** Parts an ingest may add before merges resume (the engine slows inserts down at 1,000). */
export const MAX_PAUSED_PARTS = 250

export class MergePause {
  private parts = 0
  private paused: boolean

  private constructor(
    private readonly store: Store,
    paused: boolean,
  ) {
    this.paused = paused
  }

  static async begin(store: Store): Promise<MergePause> {
    if (store.kind !== 'embedded') return new MergePause(store, false)
    await store.client.command({ query: `SYSTEM STOP MERGES ${store.db}.events` })
    return new MergePause(store, true)
  }

  /** Told of each INSERT into the events table. */
  async inserted(): Promise<void> {
    if (++this.parts >= MAX_PAUSED_PARTS) await this.end()
  }

  /** Merges run again (also when the process ends: the pause is not stored anywhere). */
  async end(): Promise<void> {
    if (!this.paused) return
    this.paused = false
    await this.store.client.command({ query: `SYSTEM START MERGES ${this.store.db}.events` })
  }
}
