import { describe, expect, it } from 'vitest'
import type { StoredBatch } from '../../src/ingest/batch-writer.js'
import { sustainedRate } from '../../src/loadtest/summary.js'

/** Batches of a run at `rate` events/s: each holds the events due in [from, to) and returns at `confirmed`. */
function batch(rate: number, from: number, to: number, confirmed: number): StoredBatch {
  const events = Math.round(((to - from) * rate) / 1000)
  return {
    stamp: 0,
    events,
    files: 1,
    bytes: events * 200,
    writtenRows: events,
    startedMs: confirmed - 100,
    insertMs: 100,
    confirmedMs: confirmed,
    oldestScheduledMs: from,
    newestScheduledMs: to,
  }
}

describe('the sustained rate (achieved) of a run', () => {
  it('is the arrival rate when the store keeps up, whatever its batching delay', () => {
    // 1,000/s for 10 s, batches of one second each returning 1.3 s after their last event was due,
    // and a final flush returning 0.2 s after the end.
    const batches = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((s) =>
      batch(1000, s * 1000, (s + 1) * 1000, (s + 1) * 1000 + 1300),
    )
    batches.push(batch(1000, 9000, 10_000, 10_200))
    const r = sustainedRate(batches, 0, 10_000, 1000)
    expect(r.ratio).toBe(1)
    expect(r.rate).toBeCloseTo(1000, 6)
  })

  it('is the store’s own throughput when it falls behind', () => {
    // 1,000/s due for 10 s, but the store stores 500/s: batch k of 1,000 events returns at 2 s * (k + 1).
    const batches = Array.from({ length: 10 }, (_, k) =>
      batch(1000, k * 1000, (k + 1) * 1000, 2000 * (k + 1)),
    )
    const r = sustainedRate(batches, 0, 10_000, 1000)
    expect(r.rate).toBeCloseTo(500, 6)
    expect(r.ratio).toBeCloseTo(0.5, 6)
  })

  it('never exceeds the arrival rate, even when the reference batch was slow', () => {
    const batches = [batch(1000, 0, 1000, 3000), batch(1000, 1000, 5000, 5100)]
    const r = sustainedRate(batches, 0, 5000, 500)
    expect(r.ratio).toBeLessThanOrEqual(1)
    expect(r.rate).toBeLessThanOrEqual(1000 + 1e-9)
  })

  it('with a single batch, counts from the first event due', () => {
    const r = sustainedRate([batch(100, 0, 2000, 2500)], 0, 2000)
    expect(r.rate).toBeCloseTo(80, 6) // 200 events over 2.5 s
    expect(r.ratio).toBeCloseTo(0.8, 6)
    expect(sustainedRate([], 0, 1000)).toEqual({ rate: 0, ratio: 0 })
  })
})
