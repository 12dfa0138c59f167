// The store stage on the real engine: batches are stored in order, and after an abort no queued
// batch starts (its staging files are about to be deleted by the failing run).
import { writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BatchWriter } from '../../src/ingest/batch-writer.js'
import { validateChunk } from '../../src/ingest/validate-chunk.js'
import { event, lines, useEngine } from './engine.js'

const engine = useEngine()

/** A staging file of events t<from>..t<to-1>, as a worker writes it. */
function stagingFile(path: string, from: number, to: number, firstSeq: number) {
  const text = lines(...Array.from({ length: to - from }, (_, i) => event({ tx: `t${from + i}` })))
  const v = validateChunk({ bytes: Buffer.from(text), firstLine: 1, firstSeq, maxLineBytes: 1 << 16 })
  writeFileSync(path, v.rows)
  return { path, bytes: v.rows.length, events: v.good }
}

describe('BatchWriter', () => {
  it('stores every batch once, in order, and tells each as it lands', async () => {
    const e = engine()
    const told: number[] = []
    const writer = new BatchWriter(e.store, 1, 1, async (n) => void told.push(n))
    for (let b = 0; b < 4; b++) {
      const f = stagingFile(e.file(`b${b}.rowbinary`, ''), b * 100, b * 100 + 10 + b, b * 100 + 1)
      await writer.add(f.path, f.bytes, f.events)
    }
    await writer.flush()
    expect(told).toEqual([10, 11, 12, 13])
    expect(await e.count()).toBe(46)
  })

  it('after abort, starts no queued batch and tells nothing more', async () => {
    const e = engine()
    const told: number[] = []
    const writer = new BatchWriter(e.store, 1, 1, async (n) => void told.push(n))
    const first = stagingFile(e.file('first.rowbinary', ''), 0, 5, 1)
    const second = stagingFile(e.file('second.rowbinary', ''), 100, 107, 101)
    await writer.add(first.path, first.bytes, first.events) // starts at once
    await writer.add(second.path, second.bytes, second.events) // queued behind it
    await writer.abort()
    expect(told.length).toBeLessThanOrEqual(1)
    expect(await e.count()).toBe(told.length === 1 ? 5 : 0)
    const [latest] = await e.rows<{ n: string }>(
      `SELECT toString(countIf(startsWith(transaction_id, 't10'))) AS n FROM ${e.db}.events`,
    )
    expect(latest!.n).toBe('0')
  })
})
