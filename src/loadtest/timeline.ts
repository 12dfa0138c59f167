// A load test second by second: what was due, what was stored, how far behind the store was, how
// long its INSERTs took and where the CPU went. The HTML report draws these; the summary reads the
// whole run's figures elsewhere.
import { LatencySamples } from './latency.js'

export interface SecondSample {
  /** End of the second, in seconds after the start. */
  t: number
  /** Events per second the schedule asked for, and the store confirmed, in this second. */
  target: number
  achieved: number
  /** Due but not yet stored, and how far the stored events are behind the schedule (ms), at its end. */
  backlog: number
  lagMs: number
  /** Events the schedule dropped in this second because the backlog was full. */
  dropped: number
  /** Latency of the INSERTs that returned in this second (ms); null when none did. */
  insertP50Ms: number | null
  insertP99Ms: number | null
  /** CPU used in this second, by stage (ms of one core). */
  cpu: { generate: number; validate: number; main: number; engine: number }
}

export interface SecondInputs {
  target: number
  stored: number
  backlog: number
  lagMs: number
  dropped: number
  /** Cumulative CPU so far (ms): the process, the workers' tasks (and their generation part), the main thread. */
  processCpuMs: number
  workerCpuMs: number
  generateMs: number
  mainCpuMs: number | null
}

export class Timeline {
  readonly seconds: SecondSample[] = []
  private last: SecondInputs | undefined
  private inserts = new LatencySamples()

  constructor(private readonly embedded: boolean) {}

  /** An INSERT returned: its latency counts for the current second. */
  insert(ms: number): void {
    this.inserts.add(ms)
  }

  /** Closes the second that ends at `t` (s) with the run's cumulative figures. */
  close(t: number, now: SecondInputs): void {
    const before = this.last ?? {
      ...now,
      stored: 0,
      dropped: 0,
      processCpuMs: 0,
      workerCpuMs: 0,
      generateMs: 0,
      mainCpuMs: 0,
    }
    const span = this.seconds.length === 0 ? t : t - this.seconds.at(-1)!.t
    const per = (x: number) => (span > 0 ? x / span : 0)
    const worker = now.workerCpuMs - before.workerCpuMs
    const generate = now.generateMs - before.generateMs
    const main = now.mainCpuMs === null || before.mainCpuMs === null ? 0 : now.mainCpuMs - before.mainCpuMs
    const engine = now.processCpuMs - before.processCpuMs - worker - main
    this.seconds.push({
      t,
      target: now.target,
      achieved: per(now.stored - before.stored),
      backlog: now.backlog,
      lagMs: now.lagMs,
      dropped: now.dropped - before.dropped,
      insertP50Ms: this.inserts.count > 0 ? this.inserts.percentile(50) : null,
      insertP99Ms: this.inserts.count > 0 ? this.inserts.percentile(99) : null,
      cpu: {
        generate: per(Math.min(generate, worker)),
        validate: per(Math.max(0, worker - generate)),
        main: per(main),
        // A server's engine runs elsewhere; worker CPU is told when tasks end, so one second may borrow from the next.
        engine: this.embedded ? per(Math.max(0, engine)) : 0,
      },
    })
    this.last = now
    this.inserts = new LatencySamples()
  }
}
