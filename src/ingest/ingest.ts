// `billing ingest`: files -> line chunks -> validation in worker threads -> staging files -> batches
// -> the engine, as stages joined by bounded queues; then the run's copies are settled (counted, and
// older copies elsewhere retired: src/store/copies.ts). A chunk's events are confirmed stored only
// once the INSERT that reads them has returned; a re-run stores the same events again, and the newest
// copy replaces the older one, so an interrupted run is finished by running it again.
import { rmSync } from 'node:fs'
import os from 'node:os'
import { settleRunCopies, type RunCopies, type SettleOptions } from '../store/copies.js'
import { ingestPause, type MergePause } from '../store/merges.js'
import type { StampClock } from '../store/event-versions.js'
import { recordRun, startRun, type RunRecord } from '../store/runs.js'
import type { Store } from '../store/store.js'
import { BatchWriter } from './batch-writer.js'
import { RejectsFile, type EventRejectionRecord } from './rejects.js'
import { readSources, RunTally, type IngestProgress, type SourceReadOptions } from './read-sources.js'

import { assertReadable, plainBytes, sourceName } from './sources.js'
import { createStagingDir } from './staging-dir.js'

export interface IngestOptions {
  sources: string[]
  rejectsPath: string
  workers?: number
  /** Bytes of lines a worker validates at once. */
  chunkBytes?: number
  /** Bytes of staging rows the engine stores in one INSERT. */
  batchBytes?: number
  maxLineBytes?: number
  /** How many rejections to keep in the summary for printing. */
  keepRejects?: number
  onProgress?: (progress: IngestProgress) => void
  /** Stops reading; what was read so far is still stored and reported. */
  signal?: AbortSignal
  /** The folder for this run's staging files (default: a new one in the system temp folder). */
  stagingDir?: string
  /** How many of the run's rows the settling of copies takes at once (default: copies.ts). */
  settle?: SettleOptions
}

export interface IngestSummary {
  run: number
  sources: string[]
  lines: number
  blank: number
  /** Good lines; each is stored (a copy of an already stored event replaces it). */
  accepted: number
  rejected: number
  /** Accepted lines whose event this run saw more than once. */
  duplicatesInInput: number
  /** Events of this run that were already stored before it. */
  alreadyStored: number
  /** Distinct events written by this run that were not stored before. */
  newEvents: number
  /** Older copies in another month or code that this run's copies retired. */
  moved: number
  seconds: number
  eventsPerSecond: number
  rejectsPath: string | null
  firstRejects: EventRejectionRecord[]
  interrupted: boolean
}

export const INGEST_DEFAULTS = {
  // 2 MB chunks keep ~25 MB less in flight than 4 MB, at the same speed.
  chunkBytes: 2 << 20,
  batchBytes: 16 << 20,
  maxLineBytes: 64 << 10,
} as const

export async function ingest(store: Store, options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now()
  for (const source of options.sources) assertReadable(source)
  const rejects = new RejectsFile(options.rejectsPath)
  const batchBytes = options.batchBytes ?? INGEST_DEFAULTS.batchBytes
  // Paused before anything else can fail, and ended whatever happens (see src/store/merges.ts).
  const merges = await ingestPause(store, expectedInserts(options.sources, batchBytes))
  let summary: IngestSummary
  try {
    summary = await storeRun(store, options, rejects, merges, started)
  } catch (e) {
    await merges.end().catch(() => {}) // the run's own error is the one to report
    throw e
  }
  await merges.end()
  return summary
}

/** One run: its record, the pipeline from sources to the store, the settling of copies, the summary. */
async function storeRun(
  store: Store,
  options: IngestOptions,
  rejects: RejectsFile,
  merges: MergePause,
  started: number,
): Promise<IngestSummary> {
  const sources = options.sources.map(sourceName)
  const { record, clock } = await startRun(store, sources)
  const tally = new RunTally(rejects, options.keepRejects ?? 10)
  const writer = runWriter(store, clock, options, tally, merges)
  const recordOf = (status: RunRecord['status']): RunRecord => ({
    ...record,
    lines: tally.lines,
    accepted: tally.stored,
    rejected: tally.rejected,
    status,
    stamps: writer.stamps,
  })

  let interrupted: boolean
  const stagingDir = options.stagingDir ?? createStagingDir()
  try {
    interrupted = await readSources(sourceReadOptions(options, stagingDir), writer, tally)
    await writer.flush()
    await rejects.close()
  } catch (e) {
    // No queued INSERT may start once the run has failed: its staging files are about to go.
    await writer.abort()
    // What was stored is settled as in a finished run (moved events retire their older copies). The
    // store may be what failed: the error below is the one to report.
    await settleRunCopies(store, { stamps: writer.stamps }, options.settle).catch(() => {})
    await recordRun(store, recordOf('failed')).catch(() => {})
    throw new IngestError(
      `ingest failed: ${(e as Error).message}\n${tally.stored} events were confirmed stored before the failure; ` +
        'running the same command again is safe (copies replace stored events, never add to them)',
      { cause: e },
    )
  } finally {
    if (!options.stagingDir) rmSync(stagingDir, { recursive: true, force: true })
  }

  // Merges are still paused: they would compete with this pass, and run soon after.
  const copies = await settleRunCopies(store, { stamps: writer.stamps }, options.settle)
  await recordRun(store, recordOf(interrupted ? 'interrupted' : 'finished'))
  return summaryOf(record.run, sources, tally, copies, interrupted, options, started)
}

/** Batches as large as --batch-bytes, one INSERT at a time, each counted as stored when it returns. */
function runWriter(
  store: Store,
  clock: StampClock,
  options: IngestOptions,
  tally: RunTally,
  merges: MergePause,
): BatchWriter {
  const maxBytes = options.batchBytes ?? INGEST_DEFAULTS.batchBytes
  return new BatchWriter(
    store,
    clock,
    { maxBytes, maxEvents: Infinity, lingerMs: null, concurrency: 1 },
    {
      onStored: async (batch) => {
        tally.stored += batch.events
        await merges.inserted()
      },
    },
  )
}

function sourceReadOptions(options: IngestOptions, stagingDir: string): SourceReadOptions {
  return {
    sources: options.sources,
    workers: workerCount(options.workers),
    chunkBytes: options.chunkBytes ?? INGEST_DEFAULTS.chunkBytes,
    maxLineBytes: options.maxLineBytes ?? INGEST_DEFAULTS.maxLineBytes,
    stagingDir,
    signal: options.signal,
    onProgress: options.onProgress,
  }
}

function summaryOf(
  run: number,
  sources: string[],
  tally: RunTally,
  copies: RunCopies,
  interrupted: boolean,
  options: IngestOptions,
  started: number,
): IngestSummary {
  const seconds = (performance.now() - started) / 1000
  return {
    run,
    sources,
    lines: tally.lines,
    blank: tally.blank,
    accepted: tally.stored,
    rejected: tally.rejected,
    duplicatesInInput: tally.stored - copies.events,
    alreadyStored: copies.alreadyStored,
    newEvents: copies.events - copies.alreadyStored,
    moved: copies.retired,
    seconds,
    eventsPerSecond: tally.lines / seconds,
    rejectsPath: tally.rejected > 0 ? options.rejectsPath : null,
    firstRejects: tally.firstRejects,
    interrupted,
  }
}

/**
 * About how many INSERTs a run of plain files makes: staging rows take at most ~0.6 of the NDJSON's
 * bytes (0.56 for the benchmark's realistic lines, 0.45 for its small ones). Null for stdin and gzip.
 */
function expectedInserts(sources: string[], batchBytes: number): number | null {
  const bytes = plainBytes(sources)
  return bytes === null ? null : Math.ceil((bytes * 0.6) / batchBytes)
}

/**
 * The worker threads asked for (at least one), or by default: one core is left to the engine, and
 * two workers are the most: one validates ~1.2M realistic lines a second, the engine stores about
 * as many with one INSERT at a time, and each worker thread costs 30-45 MB of memory.
 */
export function workerCount(requested?: number): number {
  return Math.max(1, requested ?? Math.min(2, os.availableParallelism() - 1))
}

export class IngestError extends Error {}
