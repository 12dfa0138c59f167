// The open-model arrival schedule: event n is due at a fixed time, set before the test starts, whether
// or not the store has kept up (no coordinated omission). A schedule is a list of stages, each
// ramping linearly from the previous stage's rate to its own target, like k6's ramping-arrival-rate.

export interface Stage {
  /** Events per second reached at the end of the stage. */
  target: number
  durationMs: number
}

export class ScheduleError extends Error {}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `60s`, `500ms`, `2m`, `1h`, `1m30s`; a bare number is seconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const t = text.trim()
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) {
    throw new ScheduleError(`${what} "${text}": expected a duration like 60s, 500ms, 2m or 1m30s`)
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNITS[p[2]!]!, 0)
}

/** `1000000`, `1_000_000`, `250k`, `1.5M` events per second. */
export function parseRate(text: string, what = 'rate'): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim().replaceAll('_', ''))
  if (!m) throw new ScheduleError(`${what} "${text}": expected events per second like 1000000, 250k or 1.5M`)
  const scale = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1e6
  return Math.round(Number(m[1]) * scale)
}

/** `0:10s,1000000:30s`: ramp to 0/s over 10 s, then to 1,000,000/s over the next 30 s. */
export function parseRamp(text: string): Stage[] {
  const stages = text.split(',').map((part) => {
    const m = /^\s*([^:]+):(.+?)\s*$/.exec(part)
    if (!m) throw new ScheduleError(`--ramp stage "${part}": expected RATE:DURATION, like 1000000:30s`)
    return { target: parseRate(m[1]!, `--ramp rate`), durationMs: parseDuration(m[2]!, '--ramp duration') }
  })
  if (stages.every((s) => s.durationMs === 0)) throw new ScheduleError('--ramp: the stages last no time')
  return stages
}

export class ArrivalSchedule {
  /** Events due by the start of each stage, and when each stage starts (ms). */
  private readonly startCount: number[] = []
  private readonly startMs: number[] = []
  private readonly fromRate: number[] = []
  readonly durationMs: number
  /** Whole events due over the whole schedule. */
  readonly total: number

  constructor(
    readonly stages: Stage[],
    readonly startRate = 0,
  ) {
    let count = 0
    let ms = 0
    let rate = startRate
    for (const s of stages) {
      this.startCount.push(count)
      this.startMs.push(ms)
      this.fromRate.push(rate)
      count += ((rate + s.target) / 2) * (s.durationMs / 1000)
      ms += s.durationMs
      rate = s.target
    }
    this.durationMs = ms
    this.total = Math.floor(count + 1e-9)
  }

  /** A constant rate for a while. */
  static constant(rate: number, durationMs: number): ArrivalSchedule {
    return new ArrivalSchedule([{ target: rate, durationMs }], rate)
  }

  /** Average events per second over the schedule. */
  get averageRate(): number {
    return this.durationMs > 0 ? this.total / (this.durationMs / 1000) : 0
  }

  private stageAt(ms: number): number {
    let i = 0
    while (i < this.stages.length - 1 && ms >= this.startMs[i + 1]!) i++
    return i
  }

  /** Target events per second at `ms` after the start. */
  rateAt(ms: number): number {
    if (ms < 0 || ms >= this.durationMs) return 0
    const i = this.stageAt(ms)
    const s = this.stages[i]!
    const f = s.durationMs > 0 ? (ms - this.startMs[i]!) / s.durationMs : 1
    return this.fromRate[i]! + (s.target - this.fromRate[i]!) * f
  }

  /** Whole events due by `ms` after the start. */
  dueAt(ms: number): number {
    if (ms <= 0) return 0
    if (ms >= this.durationMs) return this.total
    const i = this.stageAt(ms)
    const s = this.stages[i]!
    const t = (ms - this.startMs[i]!) / 1000
    const r0 = this.fromRate[i]!
    const slope = (s.target - r0) / (s.durationMs / 1000)
    return Math.min(this.total, Math.floor(this.startCount[i]! + r0 * t + (slope * t * t) / 2 + 1e-9))
  }

  /** When event number `n` (0-based) is due, in ms after the start; `total` is due at the end. */
  timeOf(n: number): number {
    if (n >= this.total) return this.durationMs
    let i = 0
    while (i < this.stages.length - 1 && n >= this.startCount[i + 1]!) i++
    const s = this.stages[i]!
    const need = n - this.startCount[i]!
    if (need <= 0) return this.startMs[i]!
    const r0 = this.fromRate[i]!
    const slope = (s.target - r0) / (s.durationMs / 1000)
    // need = r0 t + slope t^2 / 2, solved for t in the stage (the numerically stable root).
    const t = Math.abs(slope) < 1e-12 ? need / r0 : (2 * need) / (r0 + Math.sqrt(r0 * r0 + 2 * slope * need))
    return this.startMs[i]! + Math.min(s.durationMs, t * 1000)
  }
}
