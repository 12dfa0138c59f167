// The figures of a load test, computed from what the run observed and what the store counted back.
import type { InvoiceTiming } from './after-run.js'
import type { StoredBatch } from './insert-stage.js'
import type { LatencyStats } from './latency.js'
import type { EngineCounters, StoredCount } from './loadtest-store.js'
import type { ArrivalSchedule } from './schedule.js'
import { evaluateThresholds, type Threshold, type ThresholdResult } from './thresholds.js'

/** What a run observed, before any figure is derived from it (times in ms after the start). */
export interface RunFacts {
  store: 'embedded' | 'server'
  database: string
  run: number
  schedule: ArrivalSchedule
  /** Events handed out by the scheduler (all of the schedule, unless interrupted). */
  scheduled: number
  generated: number
  /** Confirmed by the INSERTs that returned. */
  stored: number
  generateMs: number
  writeMs: number
  workerCpuMs: number
  /** CPU of the main thread (scheduler, client), where the platform tells it. */
  mainCpuMs: number | null
  maxBacklog: number
  maxLagMs: number
  endedMs: number
  batches: StoredBatch[]
  insertLatency: LatencyStats
  delay: LatencyStats
  counted: StoredCount
  countMs: number
  invoice: InvoiceTiming | null
  cpuMs: number
  engine: EngineCounters
  activeParts: number
  workers: number
  interrupted: boolean
}

export interface LoadtestSummary {
  store: 'embedded' | 'server'
  database: string
  run: number
  stages: { target: number; seconds: number }[]
  /** Average target rate over the scheduled time (events/s). */
  targetRate: number
  scheduledSeconds: number
  scheduled: number
  generated: number
  stored: number
  /** Counted back from the store after the run (FINAL: one per customer and transaction id). */
  confirmed: number
  lost: number
  duplicates: number
  /** Events/s the store sustained, between the first and the last INSERT to return. */
  achievedRate: number
  /** How much of the arrival rate the store kept up with (1: all of it; see sustainedRate). */
  rateRatio: number
  seconds: number
  /** Time after the last event was due until the last one was stored. */
  drainSeconds: number
  maxBacklog: number
  maxLagSeconds: number
  insert: LatencyStats & { eventsPerBatch: number; mbPerSecond: number }
  /** Scheduled time of a batch's oldest event to its INSERT's return, per batch (ms). */
  delay: LatencyStats
  invoice: InvoiceTiming | null
  countSeconds: number
  time: TimeBreakdown
  thresholds: ThresholdResult[]
  passed: boolean
  interrupted: boolean
}

/** Where the run's time went, in seconds of one core unless said otherwise. */
export interface TimeBreakdown {
  wallSeconds: number
  /** CPU of the whole process (workers, engine, main thread), seconds; cores = CPU / wall. */
  processCpuSeconds: number
  /** CPU of the generation workers (building rows and writing staging files). */
  workerCpuSeconds: number
  /** Wall time inside the workers' tasks: building rows, writing them (includes waiting for a CPU). */
  generateSeconds: number
  writeSeconds: number
  /** CPU of the main thread: scheduler, insert stage, client. */
  mainCpuSeconds: number | null
  /** The rest of the process's CPU: the engine's threads (parsing, sorting, writing parts, merges); embedded only. */
  engineCpuSeconds: number | null
  /** INSERT wall time; then the engine's own counters (a server's: all its clients'), sorting, merges. */
  insertSeconds: number
  sortSeconds: number
  /** Merges that completed during the run. */
  mergeSeconds: number
  mergedRows: number
  activeParts: number
  workers: number
}

export function loadtestSummary(f: RunFacts, thresholds: Threshold[]): LoadtestSummary {
  const firstDueMs = f.schedule.timeOf(0)
  const lastDueMs = f.schedule.timeOf(f.scheduled)
  const activeMs = Math.max(1, lastDueMs - firstDueMs)
  const targetRate = (f.scheduled * 1000) / activeMs
  const sustained = sustainedRate(f.batches, firstDueMs, lastDueMs, firstDueMs + activeMs / 10)
  const achievedRate = sustained.rate
  const insertMs = f.batches.reduce((sum, b) => sum + b.insertMs, 0)
  const bytes = f.batches.reduce((sum, b) => sum + b.bytes, 0)
  const e = f.engine
  // system.events lists only counters that moved: a missing one is zero.
  const counter = (name: string, scale: number) => (e[name] ?? 0) / scale
  const time: TimeBreakdown = {
    wallSeconds: f.endedMs / 1000,
    processCpuSeconds: f.cpuMs / 1000,
    workerCpuSeconds: f.workerCpuMs / 1000,
    mainCpuSeconds: f.mainCpuMs === null ? null : f.mainCpuMs / 1000,
    // A server's engine runs elsewhere: this process's CPU says nothing about it.
    engineCpuSeconds:
      f.mainCpuMs === null || f.store === 'server' ? null : (f.cpuMs - f.workerCpuMs - f.mainCpuMs) / 1000,
    generateSeconds: f.generateMs / 1000,
    writeSeconds: f.writeMs / 1000,
    insertSeconds: insertMs / 1000,
    sortSeconds: counter('MergeTreeDataWriterSortingBlocksMicroseconds', 1e6),
    mergeSeconds: counter('MergeTotalMilliseconds', 1e3),
    mergedRows: counter('MergedRows', 1),
    activeParts: f.activeParts,
    workers: f.workers,
  }
  const lost = f.generated - f.counted.events
  const duplicates = f.counted.rows - f.counted.events
  const results = evaluateThresholds(thresholds, {
    rate: sustained.ratio,
    throughput: achievedRate,
    lost,
    duplicates,
    p50: f.insertLatency.p50,
    p95: f.insertLatency.p95,
    p99: f.insertLatency.p99,
    max: f.insertLatency.max,
    lag: f.maxLagMs,
    ...(f.invoice ? { invoice: f.invoice.ms } : {}),
  })
  return {
    store: f.store,
    database: f.database,
    run: f.run,
    stages: f.schedule.stages.map((s) => ({ target: s.target, seconds: s.durationMs / 1000 })),
    targetRate,
    scheduledSeconds: activeMs / 1000,
    scheduled: f.scheduled,
    generated: f.generated,
    stored: f.stored,
    confirmed: f.counted.events,
    lost,
    duplicates,
    achievedRate,
    rateRatio: sustained.ratio,
    seconds: f.endedMs / 1000,
    drainSeconds: Math.max(0, f.endedMs - lastDueMs) / 1000,
    maxBacklog: f.maxBacklog,
    maxLagSeconds: f.maxLagMs / 1000,
    insert: {
      ...f.insertLatency,
      eventsPerBatch: f.batches.length ? f.stored / f.batches.length : 0,
      mbPerSecond: insertMs > 0 ? bytes / 1e6 / (insertMs / 1000) : 0,
    },
    delay: f.delay,
    invoice: f.invoice,
    countSeconds: f.countMs / 1000,
    time,
    thresholds: results,
    passed: results.every((r) => r.ok) && !f.interrupted,
    interrupted: f.interrupted,
  }
}

/**
 * Events per second the store sustained, and that as a fraction of what arrived. Measured between two
 * INSERT returns, a reference batch (the first to return after `warmupMs`, past the engine's warm-up)
 * and the last one: the events stored in between, over the longer of the time they took to store and
 * the time over which they were due. A store that keeps up gets the arrival rate (ratio 1), whatever
 * its batching delays; a slower one gets its own throughput. Counting from a confirmation, not from
 * zero, keeps the pipeline's own latency from counting against short runs.
 */
export function sustainedRate(
  batches: StoredBatch[],
  firstDueMs: number,
  lastDueMs: number,
  warmupMs = 0,
): { rate: number; ratio: number } {
  if (batches.length === 0) return { rate: 0, ratio: 0 }
  const last = batches[batches.length - 1]!
  let ref = batches.findIndex((b) => b.confirmedMs >= warmupMs)
  if (ref < 0 || ref >= batches.length - 1) ref = -1
  const after = batches.slice(ref + 1)
  const events = after.reduce((sum, b) => sum + b.events, 0)
  const start =
    ref < 0
      ? { confirmedMs: firstDueMs, newestMs: firstDueMs }
      : {
          confirmedMs: batches[ref]!.confirmedMs,
          newestMs: newest(batches.slice(0, ref + 1)),
        }
  const newestMs = Math.max(lastDueMs, newest(batches))
  const dueSpan = newestMs - start.newestMs
  const storeSpan = last.confirmedMs - start.confirmedMs
  const span = Math.max(dueSpan, storeSpan)
  if (span <= 0) return { rate: 0, ratio: 0 }
  return { rate: (events * 1000) / span, ratio: dueSpan / span }
}

function newest(batches: StoredBatch[]): number {
  return batches.reduce((max, b) => Math.max(max, b.newestScheduledMs), -Infinity)
}
