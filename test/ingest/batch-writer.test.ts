// The store stage on the real engine: batches are stored in order, each with its own stamp (later
// batches, later versions), and after an abort no queued batch starts (its staging files are about
// to be deleted by the failing run).
import { writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BatchWriter, type StagedFile } from '../../src/ingest/batch-writer.js'
import { validateChunk } from '../../src/ingest/validate-chunk.js'
import { MAX_BATCH_LINES, StampClock } from '../../src/store/event-versions.js'
import { event, lines, useEngine } from './engine.js'

const engine = useEngine()

/** A staging file of events t<from>..t<to-1>, as a worker writes it, its lines from run place `firstSeq`. */
function stagingFile(path: string, from: number, to: number, firstSeq: number): StagedFile {
  const text = lines(...Array.from({ length: to - from }, (_, i) => event({ tx: `t${from + i}` })))
  const v = validateChunk({ bytes: Buffer.from(text), firstLine: 1, firstSeq, maxLineBytes: 1 << 16 })
  writeFileSync(path, v.rows)
  return { file: path, bytes: v.rows.length, events: v.good, firstSeq, endSeq: firstSeq + v.lines }
}

const policy = { maxBytes: 1, maxEvents: Infinity, lingerMs: null, concurrency: 1 }

describe('BatchWriter', () => {
  it('stores every batch once, in order, each under a later stamp, and tells each as it lands', async () => {
    const e = engine()
    const told: { events: number; stamp: number; written: number }[] = []
    const writer = new BatchWriter(e.store, new StampClock(0, 0), policy, {
      onStored: (b) => void told.push({ events: b.events, stamp: b.stamp, written: b.writtenRows }),
    })
    for (let b = 0; b < 4; b++) {
      await writer.add(stagingFile(e.file(`b${b}.rowbinary`, ''), b * 100, b * 100 + 10 + b, b * 100))
    }
    await writer.flush()
    expect(told.map((t) => t.events)).toEqual([10, 11, 12, 13])
    expect(told.map((t) => t.written)).toEqual([10, 11, 12, 13])
    expect(told.map((t) => t.stamp)).toEqual([...told.map((t) => t.stamp)].sort((a, b) => a - b))
    expect(new Set(told.map((t) => t.stamp)).size).toBe(4)
    expect(writer.stamps).toEqual(told.map((t) => t.stamp))
    expect(await e.count()).toBe(46)
  })

  it('after abort, starts no queued batch and tells nothing more', async () => {
    const e = engine()
    const told: number[] = []
    const writer = new BatchWriter(e.store, new StampClock(0, 0), policy, {
      onStored: (b) => void told.push(b.events),
    })
    const first = stagingFile(e.file('first.rowbinary', ''), 0, 5, 0)
    const second = stagingFile(e.file('second.rowbinary', ''), 100, 107, 5)
    await writer.add(first) // starts at once
    await writer.add(second) // queued behind it
    await writer.abort()
    expect(told.length).toBeLessThanOrEqual(1)
    expect(await e.count()).toBe(told.length === 1 ? 5 : 0)
    const [latest] = await e.rows<{ n: string }>(
      `SELECT toString(countIf(startsWith(transaction_id, 't10'))) AS n FROM ${e.db}.events`,
    )
    expect(latest!.n).toBe('0')
  })

  it('cuts a batch before its lines would span more places than a version holds', async () => {
    const e = engine()
    const told: number[] = []
    const writer = new BatchWriter(
      e.store,
      new StampClock(0, 0),
      { ...policy, maxBytes: Infinity },
      { onStored: (b) => void told.push(b.events) },
    )
    await writer.add(stagingFile(e.file('a.rowbinary', ''), 0, 3, 0))
    // Lines far apart in the run (rejected or blank lines between them): the two cannot share a stamp.
    await writer.add(stagingFile(e.file('b.rowbinary', ''), 3, 6, MAX_BATCH_LINES - 1))
    await writer.flush()
    expect(told).toEqual([3, 3])
    expect(await e.count()).toBe(6)
  })

  it('cuts a partial batch once its oldest file has waited the linger time', async () => {
    const e = engine()
    const told: number[] = []
    const writer = new BatchWriter(
      e.store,
      new StampClock(0, 0),
      { maxBytes: Infinity, maxEvents: Infinity, lingerMs: 50, concurrency: 1 },
      { onStored: (b) => void told.push(b.events) },
    )
    await writer.add(stagingFile(e.file('a.rowbinary', ''), 0, 4, 0))
    while (told.length === 0) await new Promise((r) => setTimeout(r, 20))
    expect(told).toEqual([4])
    await writer.flush()
    expect(await e.count()).toBe(4)
  })
})
