// Fills a store with generated events through the ingest pipeline as fast as it goes: the load
// generator's lines (src/loadtest/generate.ts), validated and staged by the ingest workers, stored
// by the batch writer, settled as any run. For benchmarks that need months of history.
import { rmSync } from 'node:fs'
import path from 'node:path'
import { BatchWriter } from '../src/ingest/batch-writer.js'
import { StagePool } from '../src/ingest/stage-pool.js'
import { createStagingDir } from '../src/ingest/staging-dir.js'
import type { TrafficShape } from '../src/loadtest/generate.js'
import { settleRunCopies } from '../src/store/copies.js'
import { recordRun, startRun } from '../src/store/runs.js'
import type { Store } from '../src/store/store.js'

export interface LoadSpec {
  traffic: TrafficShape
  /** Events spread evenly over [fromMs, toMs). */
  events: number
  fromMs: number
  toMs: number
}

const CHUNK = 100_000

/** Loads the events of one span as one run; returns the events stored. */
export async function bulkLoad(store: Store, spec: LoadSpec, workers = 2): Promise<number> {
  const { record, clock } = await startRun(store, [`bench: ${spec.events} generated events`])
  const stagingDir = createStagingDir()
  const pool = new StagePool<{ firstSeq: number; count: number }>(workers)
  let stored = 0
  const writer = new BatchWriter(
    store,
    clock,
    { maxBytes: Infinity, maxEvents: 1_000_000, lingerMs: null, concurrency: 1 },
    { onStored: (b) => void (stored += b.events) },
  )
  const span = spec.toMs - spec.fromMs
  const settle = async () => {
    const { meta, result } = await pool.next()
    if (result.rejects.length > 0)
      throw new Error(`generated lines rejected: ${JSON.stringify(result.rejects[0])}`)
    if (!result.stagingFile) return
    await writer.add({
      file: result.stagingFile,
      bytes: result.stagingBytes,
      events: result.good,
      firstSeq: meta.firstSeq,
      endSeq: meta.firstSeq + meta.count,
    })
  }
  try {
    for (let first = 0, n = 0; first < spec.events; first += CHUNK, n++) {
      const count = Math.min(CHUNK, spec.events - first)
      const generate = {
        ...spec.traffic,
        run: record.run,
        firstSeq: first,
        count,
        fromMs: spec.fromMs + Math.floor((first * span) / spec.events),
        toMs: spec.fromMs + Math.floor(((first + count) * span) / spec.events),
      }
      pool.run(
        {
          source: { generate, maxLineBytes: 1 << 16 },
          stagingFile: path.join(stagingDir, `g-${n}.rowbinary`),
        },
        { firstSeq: first, count },
      )
      while (pool.inFlight > workers * 2) await settle()
    }
    while (pool.inFlight > 0) await settle()
    await writer.flush()
  } finally {
    await pool.close()
    rmSync(stagingDir, { recursive: true, force: true })
  }
  await settleRunCopies(store, { stamps: writer.stamps })
  await recordRun(store, {
    ...record,
    lines: spec.events,
    accepted: stored,
    status: 'finished',
    stamps: writer.stamps,
  })
  return stored
}
