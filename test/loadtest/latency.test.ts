import { describe, expect, it } from 'vitest'
import { LatencySamples } from '../../src/loadtest/latency.js'

describe('latency percentiles (nearest rank over every sample)', () => {
  it('gives exact percentiles whatever the order samples came in', () => {
    const l = new LatencySamples()
    for (const ms of [50, 10, 40, 30, 20, 100, 90, 80, 70, 60]) l.add(ms)
    expect(l.stats()).toEqual({ count: 10, p50: 50, p95: 100, p99: 100, max: 100, mean: 55 })
    expect(l.percentile(10)).toBe(10)
    expect(l.percentile(11)).toBe(20)
  })

  it('is all zeros without samples', () => {
    expect(new LatencySamples().stats()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 })
  })

  it('p99 of 1,000 samples is the 990th smallest', () => {
    const l = new LatencySamples()
    for (let i = 1000; i >= 1; i--) l.add(i)
    expect(l.percentile(99)).toBe(990)
    expect(l.percentile(50)).toBe(500)
  })
})
