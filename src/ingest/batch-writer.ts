// The store stage: staging files, in line order, are collected into batches, and each batch is one
// INSERT. A batch is cut when it is full (bytes or events), when the lines it spans would not fit one
// stamp (see src/store/event-versions.ts), when its oldest file has waited `lingerMs` (load tests:
// few large parts cost the engine less than many small ones), or at the end. Its stamp is taken when
// it is cut, so later lines get later versions whatever order INSERTs finish in. At most
// `concurrency` INSERTs run, and one more batch may wait; then `add` makes the caller wait (the
// back-pressure). A waiting batch is files on disk, not memory.
import { rmSync } from 'node:fs'
import { MAX_BATCH_LINES, type StampClock } from '../store/event-versions.js'
import type { Store } from '../store/store.js'
import { insertBatch } from '../store/write-events.js'

export interface StagedFile {
  file: string
  bytes: number
  /** Good events in the file. */
  events: number
  /** Run places of the first line behind the file and of the one after its last. */
  firstSeq: number
  endSeq: number
  /** Scheduled times of the file's oldest and newest event (load tests; ms after the start). */
  scheduledMs?: number
  newestScheduledMs?: number
}

export interface BatchPolicy {
  maxBytes: number
  maxEvents: number
  /** How long a file may wait for its batch to fill (ms); null: until the batch is full. */
  lingerMs: number | null
  concurrency: number
}

export interface StoredBatch {
  stamp: number
  events: number
  files: number
  bytes: number
  /** Rows the engine says the INSERT wrote. */
  writtenRows: number
  /** When the INSERT started and returned (ms on the writer's clock), and how long it took. */
  startedMs: number
  confirmedMs: number
  insertMs: number
  oldestScheduledMs: number
  newestScheduledMs: number
}

interface Queued extends StagedFile {
  addedMs: number
}

export class BatchWriter {
  private queue: Queued[] = []
  private queuedBytes = 0
  private queuedEvents = 0
  /** Batches cut and not yet stored, oldest first; each settles once its INSERT has returned. */
  private pending: Promise<void>[] = []
  private running = 0
  private waiting: (() => void)[] = []
  private timer: NodeJS.Timeout | undefined
  private failure: Error | undefined
  private aborted = false
  /** Stamps of the batches cut so far (the run's rows carry them). */
  readonly stamps: number[] = []

  constructor(
    private readonly store: Store,
    private readonly clock: StampClock,
    private readonly policy: BatchPolicy,
    private readonly hooks: {
      /** Told after each batch is stored (its staging files are deleted by then). */
      onStored?: (batch: StoredBatch) => void | Promise<void>
      /** Told of each staging file deleted, stored or not. */
      onFileGone?: (file: string) => void
      now?: () => number
    } = {},
  ) {}

  /** Events handed to the writer and not yet in an INSERT that returned. */
  get waitingEvents(): number {
    return this.queuedEvents
  }

  get error(): Error | undefined {
    return this.failure
  }

  async add(staged: StagedFile): Promise<void> {
    if (this.failure) throw this.failure
    if (staged.endSeq - staged.firstSeq > MAX_BATCH_LINES) {
      throw new RangeError(`a staging file spans more than the ${MAX_BATCH_LINES} lines a batch may`)
    }
    if (this.queue.length > 0 && staged.endSeq - this.queue[0]!.firstSeq > MAX_BATCH_LINES) this.cut()
    this.queue.push({ ...staged, addedMs: this.now() })
    this.queuedBytes += staged.bytes
    this.queuedEvents += staged.events
    if (this.queuedBytes >= this.policy.maxBytes || this.queuedEvents >= this.policy.maxEvents) this.cut()
    else this.armLinger()
    await this.room()
  }

  /** Stores what is left and waits for every INSERT; throws the first failure. */
  async flush(): Promise<void> {
    this.cut()
    for (;;) {
      const next = this.pending[0]
      if (!next) break
      await next
    }
    if (this.failure) throw this.failure
  }

  /** After a failure elsewhere: no more INSERT starts, the running ones are waited for, files go. */
  async abort(): Promise<void> {
    this.aborted = true
    clearTimeout(this.timer)
    for (const q of this.queue) this.remove(q.file)
    this.queue = []
    this.queuedBytes = 0
    this.queuedEvents = 0
    await Promise.allSettled(this.pending)
  }

  private now(): number {
    return this.hooks.now ? this.hooks.now() : performance.now()
  }

  /** Waits while the INSERTs running and one batch more fill what is allowed. */
  private async room(): Promise<void> {
    while (this.pending.length > this.policy.concurrency + 1 && !this.failure) {
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    }
    if (this.failure) throw this.failure
  }

  private armLinger(): void {
    if (this.policy.lingerMs === null || this.timer || this.queue.length === 0) return
    const wait = Math.max(0, this.queue[0]!.addedMs + this.policy.lingerMs - this.now())
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.cut()
    }, wait)
  }

  /** The queued files become a batch, stamped now; it is stored once an INSERT is free. */
  private cut(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.queue.length === 0 || this.aborted) return
    const files = this.queue
    this.queue = []
    this.queuedBytes = 0
    const stamp = this.clock.next()
    this.stamps.push(stamp)
    const stored = this.whenFree().then(() => this.insert(files, stamp))
    this.pending.push(stored)
    void stored.finally(() => {
      this.pending.splice(this.pending.indexOf(stored), 1)
      for (const wake of this.waiting.splice(0)) wake()
    })
  }

  private async whenFree(): Promise<void> {
    while (this.running >= this.policy.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    }
    this.running++
  }

  private async insert(files: Queued[], stamp: number): Promise<void> {
    const events = files.reduce((n, f) => n + f.events, 0)
    const startedMs = this.now()
    try {
      if (this.failure || this.aborted) return
      const writtenRows = await insertBatch(this.store, {
        files: files.map((f) => f.file),
        stamp,
        firstSeq: files[0]!.firstSeq,
      })
      const confirmedMs = this.now()
      this.queuedEvents -= events
      for (const f of files) this.remove(f.file)
      await this.hooks.onStored?.({
        stamp,
        events,
        files: files.length,
        bytes: files.reduce((n, f) => n + f.bytes, 0),
        writtenRows,
        startedMs,
        confirmedMs,
        insertMs: confirmedMs - startedMs,
        oldestScheduledMs: Math.min(...files.map((f) => f.scheduledMs ?? Infinity)),
        newestScheduledMs: Math.max(...files.map((f) => f.newestScheduledMs ?? -Infinity)),
      })
    } catch (e) {
      this.failure ??= e instanceof Error ? e : new Error(String(e))
    } finally {
      if (this.failure || this.aborted) for (const f of files) this.remove(f.file)
      this.running--
      for (const wake of this.waiting.splice(0)) wake()
    }
  }

  private remove(file: string): void {
    rmSync(file, { force: true })
    this.hooks.onFileGone?.(file)
  }
}
