// The running part of a load test: the scheduler hands out events when they are due (an open model),
// and they go down the ingest pipeline: generated as ingest lines and validated in the same worker
// threads as a file's lines (src/ingest/worker.ts), staged, batched and stored by the same batch
// writer. A slow store shows as backlog and lag, never as a slower schedule; past `maxBacklog` events
// waiting, due events are dropped and counted, as k6's arrival-rate executors drop iterations.
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BatchWriter, type StoredBatch } from '../ingest/batch-writer.js'
import { StagePool } from '../ingest/stage-pool.js'
import type { StampClock } from '../store/event-versions.js'
import type { Store } from '../store/store.js'
import type { TrafficShape } from './generate.js'
import { LatencySamples } from './latency.js'
import type { ArrivalSchedule } from './schedule.js'
import type { StagingSpace } from './staging-space.js'
import { threadCpuMs } from './thread-cpu.js'
import { Timeline } from './timeline.js'

export interface LoadRunSettings {
  schedule: ArrivalSchedule
  traffic: TrafficShape
  run: number
  workers: number
  chunkEvents: number
  maxBacklog: number
  maxLineBytes: number
  batch: { maxEvents: number; lingerMs: number; concurrency: number }
  tickMs: number
  progressMs: number
  /** Write every event as an ingest line too (--out): one part file per task, joined afterwards. */
  outParts: boolean
  /** Told after each INSERT has returned and been counted (the merge hold looks at the parts). */
  afterInsert?: () => Promise<void>
  onProgress?: (progress: LoadtestProgress) => void
  signal?: AbortSignal
}

export interface LoadtestProgress {
  elapsedMs: number
  targetRate: number
  /** Events stored per second over the last few seconds. */
  achievedRate: number
  due: number
  generated: number
  stored: number
  /** Due, not dropped, and not yet stored. */
  backlog: number
  dropped: number
  /** How far the stored events are behind the schedule (ms). */
  lagMs: number
  insertP50Ms: number
  insertP99Ms: number
}

/** What the run observed (times in ms after its start). */
export interface LoadRunFacts {
  /** Events handed out by the scheduler, dropped ones included (all of the schedule, unless interrupted). */
  scheduled: number
  dropped: number
  /** Lines the generator made, and those the pipeline validated as good (all of them, unless a defect). */
  generated: number
  good: number
  /** Events in INSERTs that returned, and the rows those INSERTs say they wrote. */
  stored: number
  written: number
  maxBacklog: number
  maxLagMs: number
  endedMs: number
  batches: StoredBatch[]
  insertLatency: LatencySamples
  delay: LatencySamples
  timeline: Timeline
  generateMs: number
  workerCpuMs: number
  mainCpuMs: number | null
  cpuMs: number
  stamps: number[]
  outParts: string[]
  interrupted: boolean
}

interface TaskMeta {
  firstSeq: number
  count: number
  scheduledMs: number
  newestScheduledMs: number
}

export class LoadRun {
  private readonly pool: StagePool<TaskMeta>
  private readonly writer: BatchWriter
  private readonly started = performance.now()
  /** The wall clock at the start: event n's timestamp is this plus its scheduled time. */
  readonly wallStart = Date.now()
  private readonly cpuStart = process.cpuUsage()
  private readonly mainCpuStart = threadCpuMs()
  private issued = 0
  private task = 0
  private settling: Promise<void> | undefined
  private failure: unknown
  private readonly recent = [{ at: 0, stored: 0 }]
  readonly facts: LoadRunFacts

  constructor(
    store: Store,
    clock: StampClock,
    private readonly space: StagingSpace,
    private readonly s: LoadRunSettings,
  ) {
    this.pool = new StagePool<TaskMeta>(s.workers)
    this.facts = {
      scheduled: 0,
      dropped: 0,
      generated: 0,
      good: 0,
      stored: 0,
      written: 0,
      maxBacklog: 0,
      maxLagMs: 0,
      endedMs: 0,
      batches: [],
      insertLatency: new LatencySamples(),
      delay: new LatencySamples(),
      timeline: new Timeline(store.kind === 'embedded'),
      generateMs: 0,
      workerCpuMs: 0,
      mainCpuMs: null,
      cpuMs: 0,
      stamps: [],
      outParts: [],
      interrupted: false,
    }
    this.writer = new BatchWriter(
      store,
      clock,
      { maxBytes: Infinity, ...s.batch },
      {
        onStored: async (b) => {
          this.stored(b)
          await s.afterInsert?.()
        },
        onFileGone: (file) => space.release(file),
        now: () => this.clock(),
      },
    )
    this.facts.stamps = this.writer.stamps
  }

  private clock(): number {
    return performance.now() - this.started
  }

  /** Runs the schedule to its end (or an interrupt), then waits until every generated event is stored. */
  async drive(): Promise<void> {
    const { schedule } = this.s
    let lastProgress = 0
    let nextSecond = 1000
    /** Closes every second of the timeline that has ended by `now`. */
    const closeSecondsUntil = (now: number) => {
      for (; now >= nextSecond; nextSecond += 1000) this.closeSecond(nextSecond)
    }
    try {
      for (;;) {
        if (this.failure ?? this.writer.error) throw this.failure ?? this.writer.error
        const now = this.clock()
        if (this.s.signal?.aborted) this.facts.interrupted = true
        this.dispatchDue(this.facts.interrupted ? this.issued : schedule.dueAt(now))
        this.facts.maxLagMs = Math.max(this.facts.maxLagMs, this.lagAt(now))
        closeSecondsUntil(now)
        if (this.s.onProgress && now - lastProgress >= this.s.progressMs) {
          lastProgress = now
          this.s.onProgress(this.progress())
        }
        const allIssued = this.issued >= schedule.total || this.facts.interrupted
        if (allIssued && this.pool.inFlight === 0 && !this.settling) break
        // Wake every tick while events are due; at low rates, when the next one is.
        const nextDue = allIssued ? this.s.tickMs : schedule.timeOf(this.issued + 1) - this.clock()
        await sleep(Math.max(this.s.tickMs, Math.min(250, nextDue)))
      }
      // The last INSERTs may take seconds: each of them is still a second of the timeline.
      let flushed = false
      const flush = this.writer.flush().finally(() => (flushed = true))
      while (!flushed) {
        await Promise.race([flush, sleep(Math.max(1, nextSecond - this.clock()))])
        if (!flushed) closeSecondsUntil(this.clock())
      }
      await flush
    } catch (e) {
      this.failure ??= e
      await this.writer.abort()
      throw e
    } finally {
      for (const task of await this.pool.close()) {
        this.space.release(task.stagingFile)
      }
      this.finishFacts()
    }
  }

  /** Hands out every event due by `due`, in tasks of at most chunkEvents; over the backlog bound, drops them. */
  private dispatchDue(due: number): void {
    while (this.issued < due) {
      const count = Math.min(this.s.chunkEvents, due - this.issued)
      if (this.pending() + count > this.s.maxBacklog) this.facts.dropped += count
      else this.dispatch(this.issued, count)
      this.issued += count
      this.facts.scheduled = this.issued
    }
    this.facts.maxBacklog = Math.max(this.facts.maxBacklog, this.pending())
  }

  /** Events handed to the pipeline and not yet stored. */
  private pending(): number {
    return this.issued - this.facts.dropped - this.facts.stored
  }

  private dispatch(firstSeq: number, count: number): void {
    const { schedule, traffic } = this.s
    const n = ++this.task
    const scheduledMs = Math.floor(schedule.timeOf(firstSeq))
    const newestScheduledMs = Math.floor(schedule.timeOf(firstSeq + count))
    const outFile = this.s.outParts ? path.join(this.space.scratch, `ingest-${n}.ndjson`) : undefined
    if (outFile) this.facts.outParts.push(outFile)
    const generate = {
      ...traffic,
      run: this.s.run,
      firstSeq,
      count,
      fromMs: this.wallStart + scheduledMs,
      toMs: this.wallStart + newestScheduledMs,
    }
    this.pool.run(
      {
        source: { generate, maxLineBytes: this.s.maxLineBytes, ...(outFile && { outFile }) },
        stagingFile: this.space.place(`staging-${n}.rowbinary`, count * ROW_BYTES_ESTIMATE),
      },
      { firstSeq, count, scheduledMs, newestScheduledMs },
      // Generated as soon as the worker is done, whether or not the store has room for it yet.
      (result) => {
        this.facts.generated += count
        this.facts.good += result.good
        this.facts.generateMs += result.generateMs
        this.facts.workerCpuMs += result.cpuMs
      },
    )
    this.settling ??= this.settle().finally(() => (this.settling = undefined))
  }

  /** Takes the pool's results in order and hands their staging files to the batch writer. */
  private async settle(): Promise<void> {
    try {
      while (this.pool.inFlight > 0) {
        const { task, meta, result } = await this.pool.next()
        if (!result.stagingFile) {
          this.space.release(task.stagingFile)
          continue
        }
        await this.writer.add({
          file: result.stagingFile,
          bytes: result.stagingBytes,
          events: result.good,
          firstSeq: meta.firstSeq,
          endSeq: meta.firstSeq + meta.count,
          scheduledMs: meta.scheduledMs,
          newestScheduledMs: meta.newestScheduledMs,
        })
      }
    } catch (e) {
      this.failure ??= e
    }
  }

  private stored(b: StoredBatch): void {
    const f = this.facts
    f.batches.push(b)
    f.stored += b.events
    f.written += b.writtenRows
    f.insertLatency.add(b.insertMs)
    f.timeline.insert(b.insertMs)
    f.delay.add(b.confirmedMs - b.oldestScheduledMs)
    f.maxLagMs = Math.max(f.maxLagMs, b.confirmedMs - b.oldestScheduledMs)
  }

  /** How far the stored events are behind the schedule: the time since the next one to store was due. */
  private lagAt(now: number): number {
    if (this.pending() <= 0) return 0
    return Math.max(0, now - this.s.schedule.timeOf(this.facts.stored + this.facts.dropped))
  }

  private closeSecond(atMs: number): void {
    const cpu = process.cpuUsage(this.cpuStart)
    const main = threadCpuMs()
    this.facts.timeline.close(atMs / 1000, {
      target: this.facts.interrupted ? 0 : this.s.schedule.rateAt(atMs),
      stored: this.facts.stored,
      backlog: this.pending(),
      lagMs: this.lagAt(atMs),
      dropped: this.facts.dropped,
      processCpuMs: (cpu.user + cpu.system) / 1000,
      workerCpuMs: this.facts.workerCpuMs,
      generateMs: this.facts.generateMs,
      mainCpuMs: main !== undefined && this.mainCpuStart !== undefined ? main - this.mainCpuStart : null,
    })
  }

  progress(): LoadtestProgress {
    const now = this.clock()
    const f = this.facts
    this.recent.push({ at: now, stored: f.stored })
    while (this.recent.length > 2 && this.recent[0]!.at < now - 3000) this.recent.shift()
    const first = this.recent[0]!
    return {
      elapsedMs: now,
      targetRate: f.interrupted ? 0 : this.s.schedule.rateAt(now),
      achievedRate: now > first.at ? ((f.stored - first.stored) * 1000) / (now - first.at) : 0,
      due: f.interrupted ? this.issued : this.s.schedule.dueAt(now),
      generated: f.generated,
      stored: f.stored,
      backlog: this.pending(),
      dropped: f.dropped,
      lagMs: this.lagAt(now),
      insertP50Ms: f.insertLatency.percentile(50),
      insertP99Ms: f.insertLatency.percentile(99),
    }
  }

  private finishFacts(): void {
    const f = this.facts
    f.endedMs = this.clock()
    if (f.endedMs > (f.timeline.seconds.at(-1)?.t ?? 0) * 1000) this.closeSecond(f.endedMs)
    const cpu = process.cpuUsage(this.cpuStart)
    f.cpuMs = (cpu.user + cpu.system) / 1000
    const main = threadCpuMs()
    f.mainCpuMs = main !== undefined && this.mainCpuStart !== undefined ? main - this.mainCpuStart : null
  }
}

/** Bytes a staging row takes, a little over the average of the generated traffic. */
const ROW_BYTES_ESTIMATE = 160
