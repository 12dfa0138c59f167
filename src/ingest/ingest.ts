// `billing ingest`: files -> line chunks -> validation in worker threads -> staging files -> batches
// -> the engine, as stages joined by bounded queues; then the run's copies are settled (counted, and
// older copies elsewhere retired: src/store/copies.ts). A chunk's events are confirmed stored only
// once the INSERT that reads them has returned; a re-run stores the same events again, and the newest
// copy replaces the older one, so an interrupted run is finished by running it again.
import { rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { settleRunCopies, type RunCopies, type SettleOptions } from '../store/copies.js'
import { ingestPause, type MergePause } from '../store/merges.js'
import { recordRun, startRun, type RunRecord } from '../store/runs.js'
import type { Store } from '../store/store.js'
import { BatchWriter } from './batch-writer.js'
import { lineChunks } from './line-chunks.js'
import { RejectsFile, type EventRejectionRecord } from './rejects.js'
import { assertReadable, plainBytes, readSource, sourceName } from './sources.js'
import { StagePool } from './stage-pool.js'
import { createStagingDir } from './staging-dir.js'
import type { LineRejection } from './validate-chunk.js'

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

export interface IngestProgress {
  source: string
  lines: number
  stored: number
  rejected: number
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

const MAX_RUN_LINES = 2 ** 48

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

interface Totals {
  lines: number
  blank: number
  rejected: number
  stored: number
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
  const totals: Totals = { lines: 0, blank: 0, rejected: 0, stored: 0 }
  const writer = new BatchWriter(
    store,
    clock,
    {
      maxBytes: options.batchBytes ?? INGEST_DEFAULTS.batchBytes,
      maxEvents: Infinity,
      lingerMs: null,
      concurrency: 1,
    },
    {
      onStored: async (batch) => {
        totals.stored += batch.events
        await merges.inserted()
      },
    },
  )
  const firstRejects: EventRejectionRecord[] = []
  const keepRejects = options.keepRejects ?? 10
  const onReject = async (source: string, r: LineRejection) => {
    const rejection = { file: source, ...r }
    totals.rejected++
    if (firstRejects.length < keepRejects) firstRejects.push(rejection)
    await rejects.write(rejection)
  }
  const recordOf = (status: RunRecord['status']): RunRecord => ({
    ...record,
    lines: totals.lines,
    accepted: totals.stored,
    rejected: totals.rejected,
    status,
    stamps: writer.stamps,
  })

  let interrupted: boolean
  const stagingDir = options.stagingDir ?? createStagingDir()
  try {
    interrupted = await readSources(options, stagingDir, writer, totals, onReject)
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
      `ingest failed: ${(e as Error).message}\n${totals.stored} events were confirmed stored before the failure; ` +
        'running the same command again is safe (copies replace stored events, never add to them)',
      { cause: e },
    )
  } finally {
    if (!options.stagingDir) rmSync(stagingDir, { recursive: true, force: true })
  }

  // Merges are still paused: they would compete with this pass, and run soon after.
  const copies = await settleRunCopies(store, { stamps: writer.stamps }, options.settle)
  await recordRun(store, recordOf(interrupted ? 'interrupted' : 'finished'))
  return summaryOf(record.run, sources, totals, copies, firstRejects, interrupted, options, started)
}

/**
 * The pipeline from the sources to the batch writer, in line order. Returns whether it was
 * interrupted (the signal), in which case what was read so far is still handed to the writer.
 */
async function readSources(
  options: IngestOptions,
  stagingDir: string,
  writer: BatchWriter,
  totals: Totals,
  onReject: (source: string, r: LineRejection) => Promise<void>,
): Promise<boolean> {
  const chunkBytes = options.chunkBytes ?? INGEST_DEFAULTS.chunkBytes
  const maxLineBytes = options.maxLineBytes ?? INGEST_DEFAULTS.maxLineBytes
  const workers = Math.max(1, options.workers ?? defaultWorkers())
  const pool = new StagePool<{ source: string; firstSeq: number; endSeq: number }>(workers)
  const settle = async () => {
    const { meta, result } = await pool.next()
    totals.lines += result.lines
    totals.blank += result.blank
    for (const r of result.rejects) await onReject(meta.source, r)
    if (result.stagingFile) {
      await writer.add({
        file: result.stagingFile,
        bytes: result.stagingBytes,
        events: result.good,
        firstSeq: meta.firstSeq,
        endSeq: meta.endSeq,
      })
    }
    options.onProgress?.({
      source: meta.source,
      lines: totals.lines,
      stored: totals.stored,
      rejected: totals.rejected,
    })
  }
  let seqBase = 0
  let chunkNo = 0
  try {
    for (const source of options.sources) {
      if (options.signal?.aborted) return true
      const name = sourceName(source)
      let fileLines = 0
      for await (const item of lineChunks(readSource(source, options.signal), { chunkBytes, maxLineBytes })) {
        if ('rejection' in item) {
          // An over-long line never reaches a worker: settle earlier chunks first to keep file order.
          while (pool.inFlight > 0) await settle()
          totals.lines++
          fileLines = item.rejection.line
          await onReject(name, item.rejection)
        } else {
          const { bytes, firstLine, lines } = item.chunk
          const firstSeq = seqBase + firstLine - 1
          if (firstSeq + lines > MAX_RUN_LINES) {
            throw new Error(`one run reads at most ${MAX_RUN_LINES} lines: split the input over several runs`)
          }
          const stagingFile = path.join(stagingDir, `chunk-${++chunkNo}.rowbinary`)
          pool.run(
            { source: { chunk: { bytes, firstLine, firstSeq, maxLineBytes } }, stagingFile },
            { source: name, firstSeq, endSeq: firstSeq + lines },
          )
          fileLines = firstLine + lines - 1
          while (pool.inFlight > workers * 2) await settle()
        }
        if (options.signal?.aborted) break
      }
      while (pool.inFlight > 0) await settle()
      seqBase += fileLines
      if (options.signal?.aborted) return true
    }
    return false
  } finally {
    await pool.close()
  }
}

function summaryOf(
  run: number,
  sources: string[],
  totals: Totals,
  copies: RunCopies,
  firstRejects: EventRejectionRecord[],
  interrupted: boolean,
  options: IngestOptions,
  started: number,
): IngestSummary {
  const seconds = (performance.now() - started) / 1000
  return {
    run,
    sources,
    lines: totals.lines,
    blank: totals.blank,
    accepted: totals.stored,
    rejected: totals.rejected,
    duplicatesInInput: totals.stored - copies.events,
    alreadyStored: copies.alreadyStored,
    newEvents: copies.events - copies.alreadyStored,
    moved: copies.retired,
    seconds,
    eventsPerSecond: totals.lines / seconds,
    rejectsPath: totals.rejected > 0 ? options.rejectsPath : null,
    firstRejects,
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
 * One core is left to the engine, and two workers are the most by default: one validates ~1.2M
 * realistic lines a second, the engine stores about as many with one INSERT at a time, and each
 * worker thread costs 30-45 MB of memory.
 */
export function defaultWorkers(): number {
  return Math.min(2, Math.max(1, os.availableParallelism() - 1))
}

export class IngestError extends Error {}
