// The figures of a load test, computed from what the run observed and what the store counted back.
import type { StoredBatch } from '../ingest/batch-writer.js'
import type { InvoiceTiming } from './after-run.js'
import type { LatencyStats } from './latency.js'
import type { LoadRunFacts } from './load-run.js'
import type { SecondSample } from './timeline.js'
import type { EngineCounters, StoredCount } from './loadtest-store.js'
import type { ArrivalSchedule } from './schedule.js'
import { evaluateThresholds, type Threshold, type ThresholdResult } from './thresholds.js'

/** What a run observed and what the store counted back (times in ms after the start). */
export interface RunFacts extends LoadRunFacts {
  store: 'embedded' | 'server'
  database: string
  run: number
  schedule: ArrivalSchedule
  counted: StoredCount
  countMs: number
  invoice: InvoiceTiming | null
  engine: EngineCounters
  activeParts: number
  /** Whether the table's merges were held from the first INSERT to the count (see HOLD_PARTS in loadtest.ts). */
  mergesHeld: boolean
  workers: number
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
  /** Due events the scheduler dropped because the backlog was full (never generated). */
  dropped: number
  stored: number
  /** Rows the INSERTs said they wrote. */
  written: number
  /** Counted back from the store after the run: the run's distinct events, and its rows. */
  confirmed: number
  rows: number
  /** Generated events that are not in the store, or that INSERTs took and said they did not write. */
  lost: number
  /** Events stored more than once: extra rows of the run, or rows the INSERTs wrote beyond their events. */
  duplicates: number
  /**
   * Whether every copy was counted before a merge could fold it: the table's merges were held for the
   * whole run. When not, a copy stored twice may have been merged away and go uncounted.
   */
  copiesCountedBeforeMerges: boolean
  /** Events/s the store sustained, between the first and the last INSERT to return. */
  achievedRate: number
  /** How much of the arrival rate the store kept up with (1: all of it; see sustainedRate). */
  rateRatio: number
  seconds: number
  /** Time after the last event was due until the last one was stored. */
  drainSeconds: number
  maxBacklog: number
  maxLagSeconds: number
  timeline: SecondSample[]
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
  /** CPU of the pipeline's worker threads: generating lines, validating them, writing staging files. */
  workerCpuSeconds: number
  /** Of which generating the lines (CPU; wall time where the platform tells no thread CPU). */
  generateSeconds: number
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
  const insertMs = f.batches.reduce((sum, b: StoredBatch) => sum + b.insertMs, 0)
  const bytes = f.batches.reduce((sum, b) => sum + b.bytes, 0)
  const time = timeBreakdown(f, insertMs)
  const lost = Math.max(0, f.generated - f.counted.events, f.stored - f.written)
  const duplicates = Math.max(0, f.counted.rows - f.counted.events, f.written - f.stored)
  // Dropped events count against the rate: they were due and never stored.
  const rateRatio = sustained.ratio * (f.scheduled > 0 ? (f.scheduled - f.dropped) / f.scheduled : 1)
  const results = judgeThresholds(f, thresholds, {
    rate: rateRatio,
    throughput: achievedRate,
    lost,
    duplicates,
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
    dropped: f.dropped,
    stored: f.stored,
    written: f.written,
    confirmed: f.counted.events,
    rows: f.counted.rows,
    lost,
    duplicates,
    copiesCountedBeforeMerges: f.mergesHeld,
    achievedRate,
    rateRatio,
    seconds: f.endedMs / 1000,
    drainSeconds: Math.max(0, f.endedMs - lastDueMs) / 1000,
    maxBacklog: f.maxBacklog,
    maxLagSeconds: f.maxLagMs / 1000,
    timeline: f.timeline.seconds,
    insert: {
      ...f.insertLatency.stats(),
      eventsPerBatch: f.batches.length ? f.stored / f.batches.length : 0,
      mbPerSecond: insertMs > 0 ? bytes / 1e6 / (insertMs / 1000) : 0,
    },
    delay: f.delay.stats(),
    invoice: f.invoice,
    countSeconds: f.countMs / 1000,
    time,
    thresholds: results,
    passed: results.every((r) => r.ok) && !f.interrupted,
    interrupted: f.interrupted,
  }
}

/** Where the run's time went: wall, CPU by thread, the engine's own counters. */
function timeBreakdown(f: RunFacts, insertMs: number): TimeBreakdown {
  const e = f.engine
  // system.events lists only counters that moved: a missing one is zero.
  const counter = (name: string, scale: number) => (e[name] ?? 0) / scale
  return {
    wallSeconds: f.endedMs / 1000,
    processCpuSeconds: f.cpuMs / 1000,
    workerCpuSeconds: f.workerCpuMs / 1000,
    mainCpuSeconds: f.mainCpuMs === null ? null : f.mainCpuMs / 1000,
    // A server's engine runs elsewhere: this process's CPU says nothing about it.
    engineCpuSeconds:
      f.mainCpuMs === null || f.store === 'server' ? null : (f.cpuMs - f.workerCpuMs - f.mainCpuMs) / 1000,
    generateSeconds: f.generateMs / 1000,
    insertSeconds: insertMs / 1000,
    sortSeconds: counter('MergeTreeDataWriterSortingBlocksMicroseconds', 1e6),
    mergeSeconds: counter('MergeTotalMilliseconds', 1e3),
    mergedRows: counter('MergedRows', 1),
    activeParts: f.activeParts,
    workers: f.workers,
  }
}

/** The thresholds judged on the run's figures. */
function judgeThresholds(
  f: RunFacts,
  thresholds: Threshold[],
  figures: { rate: number; throughput: number; lost: number; duplicates: number },
): ThresholdResult[] {
  return evaluateThresholds(thresholds, {
    ...figures,
    dropped: f.dropped,
    p50: f.insertLatency.percentile(50),
    p95: f.insertLatency.percentile(95),
    p99: f.insertLatency.percentile(99),
    max: f.insertLatency.percentile(100),
    lag: f.maxLagMs,
    ...(f.invoice ? { invoice: f.invoice.ms } : {}),
  })
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
