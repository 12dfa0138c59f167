// Latency samples and their percentiles. A load test makes at most a few thousand INSERTs, so every
// sample is kept and percentiles are exact (nearest rank), not estimated.

export interface LatencyStats {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
  mean: number
}

export class LatencySamples {
  private samples: number[] = []
  private sorted = true

  add(ms: number): void {
    if (this.samples.length > 0 && ms < this.samples[this.samples.length - 1]!) this.sorted = false
    this.samples.push(ms)
  }

  get count(): number {
    return this.samples.length
  }

  /** Nearest-rank percentile: the smallest sample with at least p % of the samples at or below it. */
  percentile(p: number): number {
    if (this.samples.length === 0) return 0
    if (!this.sorted) {
      this.samples.sort((a, b) => a - b)
      this.sorted = true
    }
    const rank = Math.max(1, Math.ceil((p / 100) * this.samples.length))
    return this.samples[Math.min(rank, this.samples.length) - 1]!
  }

  stats(): LatencyStats {
    const n = this.samples.length
    return {
      count: n,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.percentile(100),
      mean: n === 0 ? 0 : this.samples.reduce((a, b) => a + b, 0) / n,
    }
  }
}
