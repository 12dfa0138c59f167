// `billing loadtest`: scheduler -> generation in worker threads -> staging files -> the store, as
// stages. The scheduler hands out events when they are due, whatever the store is doing (an open
// model); the backlog and the lag say how far behind the store is. After the run, every event is
// counted back from the store, and invoice --all is timed over them.
import { rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Piscina } from 'piscina'
import { recordRun, startRun } from '../ingest/runs.js'
import type { Catalog } from '../plans/types.js'
import type { Store } from '../store/connect.js'
import type { TrafficShape } from './generate.js'
import { InsertStage, type StoredBatch } from './insert-stage.js'
import { StagingSpace } from './staging-space.js'
import { LatencySamples } from './latency.js'
import {
  activeParts,
  assertLoadtestDatabase,
  counterDelta,
  countLoadtestEvents,
  LOADTEST_SOURCE,
  readEngineCounters,
} from './loadtest-store.js'
import { appendIngestFiles, timeInvoices } from './after-run.js'
import type { ArrivalSchedule } from './schedule.js'
import { loadtestSummary, type LoadtestSummary, type RunFacts } from './summary.js'
import type { Threshold } from './thresholds.js'
import type { GenerateResult, GenerateTask } from './worker.js'
import { threadCpuMs } from './thread-cpu.js'
import { compiledWorker } from '../compiled-worker.js'

export interface LoadtestOptions {
  schedule: ArrivalSchedule
  traffic: TrafficShape
  workers?: number
  /** Most events one INSERT takes. */
  batchEvents?: number
  /** How long staged events may wait for their INSERT to fill (ms). */
  lingerMs?: number
  /** INSERTs running at once (default: see insertsFor). */
  inserts?: number
  /** Most events one generation task makes (one staging file). */
  chunkEvents?: number
  /** How often the scheduler hands out due events (ms). */
  tickMs?: number
  thresholds: Threshold[]
  /** Plans to time invoice --all with; without them, invoicing is not timed. */
  catalog?: Catalog
  /** Also write every event as an ingest line to this file, for `billing ingest` to replay. */
  outFile?: string
  stagingDir?: string
  onProgress?: (progress: LoadtestProgress) => void
  progressMs?: number
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
  /** Due but not yet stored. */
  backlog: number
  /** How far the stored events are behind the schedule (ms). */
  lagMs: number
  insertP50Ms: number
  insertP99Ms: number
}

export const LOADTEST_DEFAULTS = {
  batchEvents: 1_000_000,
  lingerMs: 1000,
  chunkEvents: 50_000,
  tickMs: 20,
  progressMs: 1000,
} as const

/** Bytes a staging row takes, a little over the average (about 190). */
const ROW_BYTES_ESTIMATE = 200

export async function runLoadtest(store: Store, options: LoadtestOptions): Promise<LoadtestSummary> {
  const { schedule, traffic } = options
  const chunkEvents = options.chunkEvents ?? LOADTEST_DEFAULTS.chunkEvents
  const tickMs = options.tickMs ?? LOADTEST_DEFAULTS.tickMs
  const workers = Math.max(1, options.workers ?? Math.min(4, os.availableParallelism() - 1))

  await assertLoadtestDatabase(store)
  const run = await startRun(store, [`${LOADTEST_SOURCE} ${describeSchedule(schedule)}`])
  const space = new StagingSpace(options.stagingDir)
  const pool = new Piscina<GenerateTask, GenerateResult>({
    filename: compiledWorker('loadtest/worker'),
    minThreads: workers,
    maxThreads: workers,
  })
  const counters = await readEngineCounters(store)
  const cpu = process.cpuUsage()
  const mainCpu = threadCpuMs()
  const insertLatency = new LatencySamples()
  const delay = new LatencySamples()
  const batches: StoredBatch[] = []
  const facts = {
    generateMs: 0,
    writeMs: 0,
    workerCpuMs: 0,
    generated: 0,
    stored: 0,
    maxBacklog: 0,
    maxLagMs: 0,
  }
  const ingestParts: string[] = []
  const recent = [{ at: 0, stored: 0 }]

  const wallStart = Date.now()
  const started = performance.now()
  const clock = () => performance.now() - started
  const lagAt = (now: number) => Math.max(0, now - schedule.timeOf(facts.stored))
  const policy = {
    maxBatchEvents: options.batchEvents ?? LOADTEST_DEFAULTS.batchEvents,
    lingerMs: options.lingerMs ?? LOADTEST_DEFAULTS.lingerMs,
    concurrency: Math.max(1, options.inserts ?? insertsFor(store)),
  }
  const onStored = (b: StoredBatch) => {
    batches.push(b)
    facts.stored += b.events
    insertLatency.add(b.insertMs)
    delay.add(b.confirmedMs - b.oldestScheduledMs)
    facts.maxLagMs = Math.max(facts.maxLagMs, b.confirmedMs - b.oldestScheduledMs)
  }
  const insert = new InsertStage(store, run, policy, clock, onStored, (file) => space.release(file))

  let issued = 0
  let task = 0
  let interrupted = false
  let failure: unknown
  const generating = new Set<Promise<void>>()
  const dispatch = (first: number, count: number) => {
    const n = ++task
    const ingestFile = options.outFile ? path.join(space.scratch, `ingest-${n}.ndjson`) : undefined
    if (ingestFile) ingestParts.push(ingestFile)
    const range = {
      ...traffic,
      run,
      firstSeq: first,
      count,
      fromMs: wallStart + Math.floor(schedule.timeOf(first)),
      toMs: wallStart + Math.floor(schedule.timeOf(first + count)),
    }
    const stagingFile = space.place(`staging-${n}.ndjson`, count * ROW_BYTES_ESTIMATE)
    const job: Promise<void> = pool.run({ range, stagingFile, ingestFile }).then(
      (r) => {
        facts.generated += r.events
        facts.generateMs += r.generateMs
        facts.writeMs += r.writeMs
        facts.workerCpuMs += r.cpuMs
        generating.delete(job)
        // After a failure nothing more is stored: the run is being torn down.
        if (failure) {
          rmSync(r.stagingFile, { force: true })
          space.release(r.stagingFile)
          return
        }
        insert.add({
          file: r.stagingFile,
          events: r.events,
          bytes: r.bytes,
          scheduledMs: range.fromMs - wallStart,
          newestScheduledMs: range.toMs - wallStart,
        })
      },
      (e) => {
        failure ??= e
        space.release(stagingFile)
        generating.delete(job)
      },
    )
    generating.add(job)
  }
  const progress = (): LoadtestProgress => {
    const now = clock()
    recent.push({ at: now, stored: facts.stored })
    while (recent.length > 2 && recent[0]!.at < now - 3000) recent.shift()
    const first = recent[0]!
    const due = interrupted ? issued : schedule.dueAt(now)
    return {
      elapsedMs: now,
      targetRate: interrupted ? 0 : schedule.rateAt(now),
      achievedRate: now > first.at ? ((facts.stored - first.stored) * 1000) / (now - first.at) : 0,
      due,
      generated: facts.generated,
      stored: facts.stored,
      backlog: Math.max(0, due - facts.stored),
      lagMs: lagAt(now),
      insertP50Ms: insertLatency.percentile(50),
      insertP99Ms: insertLatency.percentile(99),
    }
  }

  let lastProgress = 0
  try {
    for (;;) {
      failure ??= insert.error
      if (failure) throw failure
      const now = clock()
      if (options.signal?.aborted) interrupted = true
      const due = interrupted ? issued : schedule.dueAt(now)
      while (issued < due) {
        const count = Math.min(chunkEvents, due - issued)
        dispatch(issued, count)
        issued += count
      }
      facts.maxBacklog = Math.max(facts.maxBacklog, due - facts.stored)
      facts.maxLagMs = Math.max(facts.maxLagMs, lagAt(now))
      if (options.onProgress && now - lastProgress >= (options.progressMs ?? LOADTEST_DEFAULTS.progressMs)) {
        lastProgress = now
        options.onProgress(progress())
      }
      const allIssued = issued >= schedule.total || interrupted
      if (allIssued && generating.size === 0) {
        if (!insert.busy) break
        insert.flush()
      }
      // Wake every tick while events are due; at low rates, when the next one is.
      const nextDue = allIssued ? tickMs : schedule.timeOf(issued + 1) - clock()
      await sleep(Math.max(tickMs, Math.min(250, nextDue)))
    }
    await insert.drain()
  } catch (e) {
    failure = e
    insert.discard()
  } finally {
    await Promise.allSettled([...generating])
    await pool.destroy()
  }
  const endedMs = clock()
  options.onProgress?.(progress())
  const cpuUsed = process.cpuUsage(cpu)
  const mainCpuEnd = threadCpuMs()
  const engine = counterDelta(counters, await readEngineCounters(store))
  try {
    if (failure) throw failure
    if (options.outFile) await appendIngestFiles(ingestParts, options.outFile)
  } finally {
    space.remove()
  }

  const parts = await activeParts(store)
  const countStarted = performance.now()
  const counted = await countLoadtestEvents(store, run)
  const countMs = performance.now() - countStarted
  const invoice = options.catalog
    ? await timeInvoices(store, options.catalog, traffic, {
        from: new Date(wallStart + Math.floor(schedule.timeOf(0))),
        to: new Date(wallStart + Math.ceil(schedule.timeOf(issued)) + 1),
      })
    : null
  await recordRun(store, {
    run,
    sources: [`${LOADTEST_SOURCE} ${describeSchedule(schedule)}`],
    lines: facts.generated,
    accepted: counted.events,
    rejected: 0,
    status: interrupted ? 'interrupted' : 'finished',
  })
  const runFacts: RunFacts = {
    store: store.kind,
    database: store.database,
    run,
    schedule,
    scheduled: issued,
    ...facts,
    endedMs,
    batches,
    insertLatency: insertLatency.stats(),
    delay: delay.stats(),
    counted,
    countMs,
    invoice,
    cpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
    mainCpuMs: mainCpu !== undefined && mainCpuEnd !== undefined ? mainCpuEnd - mainCpu : null,
    engine,
    activeParts: parts,
    workers,
    interrupted,
  }
  return loadtestSummary(runFacts, options.thresholds)
}

/**
 * The embedded engine runs one query at a time: a second INSERT would only wait inside it, and its
 * wait would count as insert latency. A server takes them side by side.
 */
export function insertsFor(store: Pick<Store, 'kind'>): number {
  return store.kind === 'embedded' ? 1 : 2
}

export function describeSchedule(schedule: ArrivalSchedule): string {
  const stages = schedule.stages.map((s) => `${s.target}/s:${s.durationMs / 1000}s`).join(',')
  return `${stages} from ${schedule.startRate}/s (${schedule.total} events)`
}
