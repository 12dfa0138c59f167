// The insert stage of a load test: staging files wait in a queue and the store takes them in
// batches. A batch starts when it is full or when its oldest file has waited `lingerMs` (few large
// parts cost the engine far less merging than many small ones), with at most `concurrency` INSERTs
// at a time. The queue is not bounded: in an open model the arrivals do not wait for the store, so a
// slow store shows up as a growing backlog and lag, never as a slower schedule.
import { rmSync } from 'node:fs'
import type { Store } from '../store/connect.js'
import { insertStagingFiles } from '../store/write-events.js'

export interface StagedEvents {
  file: string
  events: number
  bytes: number
  /** Scheduled times of the oldest and the newest event in the file (ms after the start of the test). */
  scheduledMs: number
  newestScheduledMs: number
}

export interface StoredBatch {
  events: number
  files: number
  bytes: number
  /** How long the INSERT took (ms). */
  insertMs: number
  /** When the INSERT returned, and the scheduled times of its oldest and newest event (ms after the start). */
  confirmedMs: number
  oldestScheduledMs: number
  newestScheduledMs: number
}

export interface InsertPolicy {
  /** Most events one INSERT takes. */
  maxBatchEvents: number
  /** How long a file may wait for its batch to fill (ms). */
  lingerMs: number
  /** INSERTs running at once. */
  concurrency: number
}

export class InsertStage {
  private queue: (StagedEvents & { addedMs: number })[] = []
  private queuedEvents = 0
  private running = 0
  private failure: Error | undefined
  private idle: (() => void)[] = []
  private timer: NodeJS.Timeout | undefined
  private flushing = false

  constructor(
    private readonly store: Store,
    private readonly run: number,
    private readonly policy: InsertPolicy,
    private readonly clock: () => number,
    private readonly onStored: (batch: StoredBatch) => void,
    /** Told of each staging file deleted, stored or not. */
    private readonly onFileGone: (file: string) => void = () => {},
  ) {}

  /** Events generated but not yet handed to an INSERT. */
  get waitingEvents(): number {
    return this.queuedEvents
  }

  /** An INSERT is running or files are waiting. */
  get busy(): boolean {
    return this.running > 0 || this.queue.length > 0
  }

  get error(): Error | undefined {
    return this.failure
  }

  add(staged: StagedEvents): void {
    this.queue.push({ ...staged, addedMs: this.clock() })
    this.queuedEvents += staged.events
    this.kick()
  }

  /** From now on, files go to the store as soon as an INSERT is free: no more arrivals are due. */
  flush(): void {
    this.flushing = true
    this.kick()
  }

  /** Resolves once every added file is stored; rejects with the first failed INSERT. */
  async drain(): Promise<void> {
    this.flush()
    while (this.running > 0 || (this.queue.length > 0 && !this.failure)) {
      await new Promise<void>((resolve) => this.idle.push(resolve))
    }
    if (this.failure) throw this.failure
  }

  /** Deletes the files that will not be stored (after a failure). */
  discard(): void {
    for (const s of this.queue) this.remove(s.file)
    this.queue = []
    this.queuedEvents = 0
  }

  private remove(file: string): void {
    rmSync(file, { force: true })
    this.onFileGone(file)
  }

  private kick(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    while (this.running < this.policy.concurrency && !this.failure && this.queue.length > 0) {
      const waited = this.clock() - this.queue[0]!.addedMs
      const full = this.queuedEvents >= this.policy.maxBatchEvents
      if (!full && !this.flushing && waited < this.policy.lingerMs) {
        this.timer = setTimeout(() => this.kick(), this.policy.lingerMs - waited)
        return
      }
      const batch: StagedEvents[] = []
      let events = 0
      while (
        this.queue.length > 0 &&
        (batch.length === 0 || events + this.queue[0]!.events <= this.policy.maxBatchEvents)
      ) {
        const next = this.queue.shift()!
        batch.push(next)
        events += next.events
      }
      this.queuedEvents -= events
      this.running++
      void this.insert(batch, events)
    }
  }

  private async insert(batch: StagedEvents[], events: number): Promise<void> {
    const started = this.clock()
    try {
      await insertStagingFiles(
        this.store,
        this.run,
        batch.map((s) => s.file),
        'JSONEachRow',
      )
      const confirmedMs = this.clock()
      this.onStored({
        events,
        files: batch.length,
        bytes: batch.reduce((sum, s) => sum + s.bytes, 0),
        insertMs: confirmedMs - started,
        confirmedMs,
        oldestScheduledMs: batch.reduce((min, s) => Math.min(min, s.scheduledMs), Infinity),
        newestScheduledMs: batch.reduce((max, s) => Math.max(max, s.newestScheduledMs), -Infinity),
      })
    } catch (e) {
      this.failure = e as Error
    } finally {
      for (const s of batch) this.remove(s.file)
      this.running--
      this.kick()
      if (this.running === 0) for (const wake of this.idle.splice(0)) wake()
    }
  }
}
