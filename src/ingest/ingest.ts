// `billing ingest`: files -> line chunks -> validation in worker threads -> staging files -> the
// engine, as stages joined by bounded queues. A chunk's events are confirmed stored only once the
// INSERT that reads them has returned; a re-run stores the same events again, and the newest copy
// replaces the older one, so an interrupted run is finished by running it again.
import { rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Piscina } from 'piscina'
import type { Store } from '../store/connect.js'
import { MergePause } from '../store/merges.js'
import { lineChunks } from './line-chunks.js'
import { RejectsFile, type EventRejectionRecord } from './rejects.js'
import { countStoredEvents, recordRun, startRun } from './runs.js'
import { assertReadable, openSource, plainBytes, sourceName } from './sources.js'
import { createStagingDir } from './staging-dir.js'
import type { LineRejection } from './validate-chunk.js'
import type { ValidateResult, ValidateTask } from './worker.js'
import { compiledWorker } from '../compiled-worker.js'
import { BatchWriter } from './batch-writer.js'

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
  /**
   * Count new and already-stored events exactly (default true): one `count() FINAL` pass over the
   * whole events table before the run and one after, which costs time in proportion to the table.
   */
  count?: boolean
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
  /** Accepted lines whose event this run saw more than once (null: not counted). */
  duplicatesInInput: number | null
  /** Events of this run that were already stored before it (counted with FINAL before and after). */
  alreadyStored: number | null
  /** Distinct events written by this run that were not stored before. */
  newEvents: number | null
  seconds: number
  eventsPerSecond: number
  rejectsPath: string | null
  firstRejects: EventRejectionRecord[]
  interrupted: boolean
}

const MAX_RUN_LINES = 2 ** 32 - 1

export const INGEST_DEFAULTS = {
  // 2 MB chunks keep ~25 MB less in flight than 4 MB, at the same speed.
  chunkBytes: 2 << 20,
  batchBytes: 16 << 20,
  maxLineBytes: 64 << 10,
} as const

export async function ingest(store: Store, options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now()
  for (const source of options.sources) assertReadable(source)
  const count = options.count ?? true
  const settings: RunSettings = {
    started,
    chunkBytes: options.chunkBytes ?? INGEST_DEFAULTS.chunkBytes,
    batchBytes: options.batchBytes ?? INGEST_DEFAULTS.batchBytes,
    maxLineBytes: options.maxLineBytes ?? INGEST_DEFAULTS.maxLineBytes,
    workers: Math.max(1, options.workers ?? defaultWorkers()),
    keepRejects: options.keepRejects ?? 10,
    count,
    storedBefore: count ? (await countStoredEvents(store)).events : 0,
  }
  // Paused before anything else can fail, and ended whatever happens (see src/store/merges.ts).
  const merges = await MergePause.begin(store, expectedInserts(options.sources, settings.batchBytes))
  let summary: IngestSummary
  try {
    summary = await storeRun(store, options, settings, merges)
  } catch (e) {
    await merges.end().catch(() => {}) // the run's own error is the one to report
    throw e
  }
  await merges.end()
  return summary
}

interface RunSettings {
  started: number
  chunkBytes: number
  batchBytes: number
  maxLineBytes: number
  workers: number
  keepRejects: number
  count: boolean
  /** Events stored before the run (0 when not counted). */
  storedBefore: number
}

/** One run: its record, the pipeline from sources to the store, and its summary. */
async function storeRun(
  store: Store,
  options: IngestOptions,
  settings: RunSettings,
  merges: MergePause,
): Promise<IngestSummary> {
  const { started, chunkBytes, batchBytes, maxLineBytes, workers, keepRejects, count, storedBefore } =
    settings
  const sources = options.sources.map(sourceName)
  const run = await startRun(store, sources)
  const stagingDir = createStagingDir()
  const pool = new Piscina<ValidateTask, ValidateResult>({
    filename: compiledWorker('ingest/worker'),
    minThreads: workers,
    maxThreads: workers,
  })
  const rejects = new RejectsFile(options.rejectsPath)
  const totals = { lines: 0, blank: 0, rejected: 0, stored: 0 }
  const firstRejects: EventRejectionRecord[] = []
  const writer = new BatchWriter(store, run, batchBytes, async (n) => {
    totals.stored += n
    await merges.inserted()
  })
  let interrupted = false
  let seqBase = 0
  let chunkNo = 0

  const onReject = async (source: string, r: LineRejection) => {
    const record = { file: source, ...r }
    totals.rejected++
    if (firstRejects.length < keepRejects) firstRejects.push(record)
    await rejects.write(record)
  }

  try {
    for (const source of options.sources) {
      if (options.signal?.aborted) break
      const name = sourceName(source)
      const inFlight: Promise<ValidateResult>[] = []
      const settle = async () => {
        const result = await inFlight.shift()!
        totals.lines += result.lines
        totals.blank += result.blank
        for (const r of result.rejects) await onReject(name, r)
        if (result.stagingFile) await writer.add(result.stagingFile, result.stagingBytes, result.good)
        options.onProgress?.({
          source: name,
          lines: totals.lines,
          stored: totals.stored,
          rejected: totals.rejected,
        })
      }
      let fileLines = 0
      for await (const item of lineChunks(openSource(source), { chunkBytes, maxLineBytes })) {
        if ('rejection' in item) {
          // An over-long line never reaches a worker: settle earlier chunks first to keep file order.
          while (inFlight.length) await settle()
          totals.lines++
          fileLines++
          await onReject(name, item.rejection)
          continue
        }
        const { bytes, firstLine, lines } = item.chunk
        // seq is the low 32 bits of the stored version (src/store/event-sql.ts).
        if (seqBase + firstLine + lines > MAX_RUN_LINES) {
          throw new Error(`one run reads at most ${MAX_RUN_LINES} lines: split the input over several runs`)
        }
        const task: ValidateTask = {
          chunk: { bytes, firstLine, firstSeq: seqBase + firstLine, maxLineBytes },
          stagingFile: path.join(stagingDir, `chunk-${++chunkNo}.rowbinary`),
        }
        fileLines = firstLine + lines - 1
        inFlight.push(pool.run(task, { transferList: [bytes.buffer as ArrayBuffer] }))
        while (inFlight.length > workers * 2) await settle()
        if (options.signal?.aborted) break
      }
      while (inFlight.length) await settle()
      seqBase += fileLines
      if (options.signal?.aborted) interrupted = true
    }
    await writer.flush()
  } catch (e) {
    // No queued INSERT may start once the run has failed: its staging files are about to go.
    await writer.abort()
    const record = {
      run,
      sources,
      ...counts(totals),
      status: 'failed' as const,
    }
    // The store may be what failed: the error below is the one to report.
    await recordRun(store, record).catch(() => {})
    throw new IngestError(
      `ingest failed: ${(e as Error).message}\n${totals.stored} events were confirmed stored before the failure; ` +
        'running the same command again is safe (copies replace stored events, never add to them)',
      { cause: e },
    )
  } finally {
    await pool.destroy()
    await rejects.close()
    rmSync(stagingDir, { recursive: true, force: true })
  }

  // Counted, not guessed: the store's own de-duplicated totals before and after the run. Merges
  // are still paused: they would compete with this pass, and run soon after.
  const after = count ? await countStoredEvents(store, run) : null
  const status = interrupted ? 'interrupted' : 'finished'
  await recordRun(store, { run, sources, ...counts(totals), status })
  const seconds = (performance.now() - started) / 1000
  return {
    run,
    sources,
    lines: totals.lines,
    blank: totals.blank,
    accepted: totals.stored,
    rejected: totals.rejected,
    duplicatesInInput: after && totals.stored - after.ofRun,
    alreadyStored: after && after.ofRun - (after.events - storedBefore),
    newEvents: after && after.events - storedBefore,
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
function defaultWorkers(): number {
  return Math.min(2, Math.max(1, os.availableParallelism() - 1))
}

/** What a run record keeps: `accepted` counts events confirmed stored, not merely validated. */
function counts(t: { lines: number; stored: number; rejected: number }) {
  return { lines: t.lines, accepted: t.stored, rejected: t.rejected }
}

export class IngestError extends Error {}
