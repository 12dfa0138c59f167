// `billing loadtest`: a schedule of synthetic events pushed down the ingest pipeline (see load-run.ts),
// then counted back from the store and invoiced, and judged by thresholds.
import os from 'node:os'
import { INGEST_DEFAULTS, workerCount } from '../ingest/ingest.js'
import type { Catalog } from '../plans/types.js'
import { MAX_BATCH_LINES } from '../store/event-versions.js'
import { activeParts, MergePause } from '../store/merges.js'
import { recordRun, startRun, type RunStatus } from '../store/runs.js'
import type { Store } from '../store/store.js'
import { appendIngestFiles, timeInvoices } from './after-run.js'
import type { TrafficShape } from './generate.js'
import { LoadRun, type LoadRunSettings, type LoadtestProgress } from './load-run.js'
import {
  assertLoadtestDatabase,
  counterDelta,
  countLoadtestEvents,
  LOADTEST_SOURCE,
  readEngineCounters,
} from './loadtest-store.js'
import type { ArrivalSchedule } from './schedule.js'
import { StagingSpace } from './staging-space.js'
import { loadtestSummary, type LoadtestSummary } from './summary.js'
import type { Threshold } from './thresholds.js'

export type { LoadtestProgress } from './load-run.js'

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
  /** Most events due and not yet stored; more are dropped (default: see defaultMaxBacklog). */
  maxBacklog?: number
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

/**
 * Active parts of the load test's table at which its merges run again. A load test holds the merges
 * of its own events table from its first INSERT until it has counted the run back: a copy stored
 * twice (a batch sent again after its first INSERT had landed) is then two rows when counted, never
 * folded into one by a merge first. The table is the load test's alone (see assertLoadtestDatabase),
 * so nobody else waits on it. Parts pile up meanwhile, one or a few an INSERT; at this many the
 * merges run again (the engine slows INSERTs down at 1,000 parts of a partition), and the summary
 * says the count of copies was no longer made before every merge. A server that refuses SYSTEM STOP
 * MERGES runs its merges: the summary says so too.
 */
export const HOLD_PARTS = 500

export const LOADTEST_DEFAULTS = {
  batchEvents: 1_000_000,
  lingerMs: 1000,
  chunkEvents: 50_000,
  tickMs: 20,
  progressMs: 1000,
} as const

export async function runLoadtest(store: Store, options: LoadtestOptions): Promise<LoadtestSummary> {
  const { schedule } = options
  await assertLoadtestDatabase(store)
  const sources = [`${LOADTEST_SOURCE} ${describeSchedule(schedule)}`]
  const { record, clock } = await startRun(store, sources)
  const space = new StagingSpace(options.stagingDir)
  const counters = await readEngineCounters(store)
  const merges = await MergePause.begin(store, HOLD_PARTS)
  const settings = loadRunSettings(store, options, space, record.run, () => merges.inserted())
  const run = new LoadRun(store, clock, space, settings)
  const f = run.facts
  const recordAs = (status: RunStatus, accepted: number) =>
    recordRun(store, { ...record, lines: f.generated, accepted, status, stamps: f.stamps })
  try {
    await run.drive()
    options.onProgress?.(run.progress())
    if (options.outFile) await appendIngestFiles(f.outParts, options.outFile)
  } catch (e) {
    await merges.end().catch(() => {})
    await recordAs('failed', f.stored).catch(() => {})
    throw e
  } finally {
    space.remove()
  }
  const engine = counterDelta(counters, await readEngineCounters(store))
  const parts = await activeParts(store)
  const countStarted = performance.now()
  const counted = await countLoadtestEvents(store, f.stamps)
  const countMs = performance.now() - countStarted
  await merges.end()
  const invoice = options.catalog
    ? await timeInvoices(store, options.catalog, options.traffic, {
        from: new Date(run.wallStart + Math.floor(schedule.timeOf(0))),
        to: new Date(run.wallStart + Math.ceil(schedule.timeOf(f.scheduled)) + 1),
      })
    : null
  await recordAs(f.interrupted ? 'interrupted' : 'finished', counted.events)
  const facts = { store: store.kind, database: store.database, run: record.run, schedule, ...f }
  return loadtestSummary(
    {
      ...facts,
      counted,
      countMs,
      invoice,
      engine,
      activeParts: parts,
      mergesHeld: merges.heldThroughout,
      workers: settings.workers,
    },
    options.thresholds,
  )
}

/** The run loop's settings: the options given, and the defaults for the others. */
function loadRunSettings(
  store: Store,
  options: LoadtestOptions,
  space: StagingSpace,
  run: number,
  afterInsert: () => Promise<void>,
): LoadRunSettings {
  return {
    schedule: options.schedule,
    traffic: options.traffic,
    run,
    workers: workerCount(options.workers),
    chunkEvents: options.chunkEvents ?? LOADTEST_DEFAULTS.chunkEvents,
    maxBacklog: options.maxBacklog ?? defaultMaxBacklog(options.schedule, space),
    maxLineBytes: INGEST_DEFAULTS.maxLineBytes,
    batch: {
      maxEvents: Math.min(options.batchEvents ?? LOADTEST_DEFAULTS.batchEvents, MAX_BATCH_LINES),
      lingerMs: options.lingerMs ?? LOADTEST_DEFAULTS.lingerMs,
      concurrency: Math.max(1, options.inserts ?? insertsFor(store)),
    },
    tickMs: options.tickMs ?? LOADTEST_DEFAULTS.tickMs,
    progressMs: options.progressMs ?? LOADTEST_DEFAULTS.progressMs,
    outParts: options.outFile !== undefined,
    afterInsert,
    onProgress: options.onProgress,
    signal: options.signal,
  }
}

/**
 * The embedded engine runs one query at a time: a second INSERT would only wait inside it, and its
 * wait would count as insert latency. A server takes them side by side.
 */
export function insertsFor(store: Pick<Store, 'kind'>): number {
  return store.kind === 'embedded' ? 1 : 2
}

/**
 * Events that may wait between their due time and their INSERT: 10 seconds of the schedule's highest
 * rate, and no more than a quarter of free memory or the staging space holds (a waiting event is a
 * staging row, ~160 bytes, on disk or in shared memory).
 */
export function defaultMaxBacklog(schedule: ArrivalSchedule, space: StagingSpace): number {
  const peak = Math.max(schedule.startRate, ...schedule.stages.map((s) => s.target))
  const bytesPerEvent = 200
  const room = Math.min(os.freemem() / 4, space.capacityBytes()) / bytesPerEvent
  return Math.max(LOADTEST_DEFAULTS.chunkEvents, Math.floor(Math.min(peak * 10, room)))
}

export function describeSchedule(schedule: ArrivalSchedule): string {
  const stages = schedule.stages.map((s) => `${s.target}/s:${s.durationMs / 1000}s`).join(',')
  return `${stages} from ${schedule.startRate}/s (${schedule.total} events)`
}
