// A load test holds the merges of its own events table from its first INSERT until it has counted the
// run back. A copy stored twice (a batch sent again after its first INSERT had landed) is then two
// rows when counted, never folded into one by a merge first; unpaused, ReplacingMergeTree would hide
// it. The table is the load test's alone (see assertLoadtestDatabase), so nobody else waits on it.
// Parts pile up meanwhile, one or a few an INSERT: at HOLD_PARTS active parts the merges run again
// (the engine slows INSERTs down at 1,000 parts of a partition), and the summary says the count of
// copies was no longer made before every merge. A server that refuses SYSTEM STOP MERGES (a user
// without the SYSTEM privilege) runs its merges: the summary says so too.
import { activeParts, startMerges, stopMerges } from '../store/merges.js'
import type { Store } from '../store/store.js'

/** Active parts of the load test's table at which its merges run again. */
export const HOLD_PARTS = 500

export class MergeHold {
  /** Whether no merge could run from the first INSERT to the count. */
  heldThroughout: boolean
  private held: boolean

  private constructor(
    private readonly store: Store,
    held: boolean,
  ) {
    this.held = held
    this.heldThroughout = held
  }

  static async begin(store: Store): Promise<MergeHold> {
    try {
      await stopMerges(store)
      return new MergeHold(store, true)
    } catch (e) {
      if (store.kind === 'embedded') throw e
      return new MergeHold(store, false)
    }
  }

  /** After each INSERT: past HOLD_PARTS parts, merges run again. */
  async inserted(): Promise<void> {
    if (!this.held || (await activeParts(this.store)) < HOLD_PARTS) return
    this.heldThroughout = false
    await this.end()
  }

  /** Merges run again (a process that ends frees them too: the hold is not stored). */
  async end(): Promise<void> {
    if (!this.held) return
    this.held = false
    await startMerges(this.store)
  }
}
