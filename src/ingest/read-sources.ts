// The reading half of an ingest run: each source's bytes -> line chunks -> validation in worker
// threads -> staging files handed to the batch writer, in line order, and what the run has read and
// rejected so far.
import path from 'node:path'
import type { BatchWriter } from './batch-writer.js'
import { lineChunks, type LineChunk } from './line-chunks.js'
import type { EventRejectionRecord, RejectsFile } from './rejects.js'
import { readSource, sourceName } from './sources.js'
import { StagePool } from './stage-pool.js'
import type { LineRejection } from './validate-chunk.js'

const MAX_RUN_LINES = 2 ** 48

export interface SourceReadOptions {
  sources: string[]
  workers: number
  chunkBytes: number
  maxLineBytes: number
  stagingDir: string
  signal?: AbortSignal
  onProgress?: (progress: IngestProgress) => void
}

export interface IngestProgress {
  source: string
  lines: number
  stored: number
  rejected: number
}

/** What a run has read, rejected and stored so far, and the first rejections for its summary. */
export class RunTally {
  lines = 0
  blank = 0
  rejected = 0
  stored = 0
  readonly firstRejects: EventRejectionRecord[] = []

  constructor(
    private readonly rejectsFile: RejectsFile,
    private readonly keepRejects: number,
  ) {}

  async reject(file: string, r: LineRejection): Promise<void> {
    const rejection = { file, ...r }
    this.rejected++
    if (this.firstRejects.length < this.keepRejects) this.firstRejects.push(rejection)
    await this.rejectsFile.write(rejection)
  }
}

/**
 * Reads every source into the writer, in line order. Returns whether it was interrupted (the
 * signal), in which case what was read so far is still handed to the writer.
 */
export async function readSources(
  options: SourceReadOptions,
  writer: BatchWriter,
  tally: RunTally,
): Promise<boolean> {
  const reading = new SourceReading(options, writer, tally)
  try {
    for (const source of options.sources) {
      if (options.signal?.aborted) return true
      await reading.read(source)
      if (options.signal?.aborted) return true
    }
    return false
  } finally {
    await reading.close()
  }
}

interface ChunkMeta {
  source: string
  firstSeq: number
  endSeq: number
}

/** The validation pool and the line numbering across sources (each event's sequence in the run). */
class SourceReading {
  private readonly pool: StagePool<ChunkMeta>
  /** Lines of the sources before this one: a line's sequence is this plus its line number. */
  private seqBase = 0
  private chunkNo = 0

  constructor(
    private readonly options: SourceReadOptions,
    private readonly writer: BatchWriter,
    private readonly tally: RunTally,
  ) {
    this.pool = new StagePool<ChunkMeta>(options.workers)
  }

  /** One source to its end (or to the signal), every chunk of it settled. */
  async read(source: string): Promise<void> {
    const { chunkBytes, maxLineBytes, signal, workers } = this.options
    const name = sourceName(source)
    let fileLines = 0
    for await (const item of lineChunks(readSource(source, signal), { chunkBytes, maxLineBytes })) {
      if ('rejection' in item) {
        // An over-long line never reaches a worker: settle earlier chunks first to keep file order.
        while (this.pool.inFlight > 0) await this.settle()
        this.tally.lines++
        fileLines = item.rejection.line
        await this.tally.reject(name, item.rejection)
      } else {
        fileLines = this.stage(name, item.chunk)
        while (this.pool.inFlight > workers * 2) await this.settle()
      }
      if (signal?.aborted) break
    }
    while (this.pool.inFlight > 0) await this.settle()
    this.seqBase += fileLines
  }

  async close(): Promise<void> {
    await this.pool.close()
  }

  /** Hands a chunk to a worker; returns the number of its last line. */
  private stage(name: string, chunk: LineChunk): number {
    const { bytes, firstLine, lines } = chunk
    const firstSeq = this.seqBase + firstLine - 1
    if (firstSeq + lines > MAX_RUN_LINES) {
      throw new Error(`one run reads at most ${MAX_RUN_LINES} lines: split the input over several runs`)
    }
    const stagingFile = path.join(this.options.stagingDir, `chunk-${++this.chunkNo}.rowbinary`)
    const maxLineBytes = this.options.maxLineBytes
    this.pool.run(
      { source: { chunk: { bytes, firstLine, firstSeq, maxLineBytes } }, stagingFile },
      { source: name, firstSeq, endSeq: firstSeq + lines },
    )
    return firstLine + lines - 1
  }

  /** The oldest chunk's result: its counts and rejections taken, its staging file to the writer. */
  private async settle(): Promise<void> {
    const { meta, result } = await this.pool.next()
    const tally = this.tally
    tally.lines += result.lines
    tally.blank += result.blank
    for (const r of result.rejects) await tally.reject(meta.source, r)
    if (result.stagingFile) {
      await this.writer.add({
        file: result.stagingFile,
        bytes: result.stagingBytes,
        events: result.good,
        firstSeq: meta.firstSeq,
        endSeq: meta.endSeq,
      })
    }
    this.options.onProgress?.({
      source: meta.source,
      lines: tally.lines,
      stored: tally.stored,
      rejected: tally.rejected,
    })
  }
}
