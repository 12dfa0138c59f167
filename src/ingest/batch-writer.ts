// The store stage of ingest: staging files are collected into batches of about `batchBytes`, and
// each batch is one INSERT. INSERTs run one at a time, in order; one full batch may queue behind
// the running one before `add` makes the reader wait (the back-pressure). A queued batch is staging
// files on disk, not memory. (Two queued batches measured no faster on 5M events: the two cores are
// simply busy.)
import { rmSync } from 'node:fs'
import type { Store } from '../store/connect.js'
import { insertStagingFiles } from '../store/write-events.js'

export class BatchWriter {
  private files: string[] = []
  private bytes = 0
  private events = 0
  /** INSERTs started or queued, oldest first; each settles once its batch is stored. */
  private pending: Promise<void>[] = []
  private aborted = false

  constructor(
    private readonly store: Store,
    private readonly run: number,
    private readonly batchBytes: number,
    /** Told after each batch is stored (its staging files are deleted by then). */
    private readonly onStored: (events: number) => Promise<void>,
  ) {}

  async add(file: string, bytes: number, events: number): Promise<void> {
    this.files.push(file)
    this.bytes += bytes
    this.events += events
    if (this.bytes >= this.batchBytes) await this.startBatch()
  }

  /** After a failure elsewhere: queued INSERTs never start, and the running one is waited for. */
  async abort(): Promise<void> {
    this.aborted = true
    this.files = []
    await Promise.allSettled(this.pending)
    this.pending = []
  }

  /** Stores what is left and waits for every INSERT. */
  async flush(): Promise<void> {
    await this.startBatch()
    while (this.pending.length > 0) await this.pending.shift()
  }

  private async startBatch(): Promise<void> {
    if (this.files.length > 0) {
      const files = this.files
      const events = this.events
      this.files = []
      this.bytes = 0
      this.events = 0
      // After the previous INSERT, and never after a failed one: its error stops the run.
      const previous = this.pending.at(-1) ?? Promise.resolve()
      const stored = previous
        .then(() => {
          if (this.aborted) throw new Error('ingest stopped before this batch was stored')
          return insertStagingFiles(this.store, this.run, files, 'RowBinary')
        })
        .then(() => {
          for (const f of files) rmSync(f, { force: true })
          return this.onStored(events)
        })
      stored.catch(() => {}) // the error surfaces where the batch is awaited
      this.pending.push(stored)
    }
    // One running, one queued behind it.
    while (this.pending.length > 2) await this.pending.shift()
  }
}
