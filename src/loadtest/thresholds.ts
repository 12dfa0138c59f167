// Pass/fail rules on a load test's results, written like k6 thresholds: `rate>=0.99`, `p99<2s`,
// `lost==0`. A failed threshold makes the command exit 99, as k6 does, so a load test can gate a pipeline.

/** What a threshold can test, with the unit its value is read in. */
export const THRESHOLD_METRICS = {
  rate: { unit: 'ratio', description: 'achieved rate / target rate (0.99 or 99%)' },
  throughput: { unit: 'rate', description: 'achieved events per second (900000, 900k)' },
  lost: { unit: 'count', description: 'events generated but not stored' },
  duplicates: { unit: 'count', description: 'events stored more than once' },
  dropped: { unit: 'count', description: 'due events dropped because the backlog was full (--max-backlog)' },
  p50: { unit: 'duration', description: 'insert batch latency, median' },
  p95: { unit: 'duration', description: 'insert batch latency, 95th percentile' },
  p99: { unit: 'duration', description: 'insert batch latency, 99th percentile' },
  max: { unit: 'duration', description: 'slowest insert batch' },
  lag: { unit: 'duration', description: 'largest lag of stored events behind the schedule' },
  invoice: { unit: 'duration', description: 'time to compute invoice --all over the events' },
} as const

export type ThresholdMetric = keyof typeof THRESHOLD_METRICS
/** The measured values; durations in milliseconds. A metric that was not measured is absent. */
export type ThresholdValues = Partial<Record<ThresholdMetric, number>>

const OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const
type Operator = (typeof OPERATORS)[number]

export interface Threshold {
  /** As written (defaults: as they would be written). */
  expression: string
  metric: ThresholdMetric
  operator: Operator
  value: number
}

export interface ThresholdResult extends Threshold {
  /** The measured value, or null when the run did not measure it (which fails the threshold). */
  actual: number | null
  ok: boolean
}

export class ThresholdError extends Error {}

/** Applied unless a threshold on the same metric is given. */
export const DEFAULT_THRESHOLDS = ['rate>=0.99', 'lost==0', 'duplicates==0', 'dropped==0']

const DURATION_UNITS: Record<string, number> = { '': 1, ms: 1, s: 1000, m: 60_000 }

export function parseThreshold(text: string): Threshold {
  const m = /^\s*([a-z][a-z0-9_]*|p\(\d+\))\s*(<=|>=|==|!=|<|>|=)\s*(\S+)\s*$/i.exec(text)
  const known = Object.keys(THRESHOLD_METRICS).join(', ')
  if (!m)
    throw new ThresholdError(`threshold "${text}": expected METRIC OP VALUE, like p99<2s (metrics: ${known})`)
  const name = m[1]!.toLowerCase().replace(/^p\((\d+)\)$/, 'p$1')
  if (!Object.hasOwn(THRESHOLD_METRICS, name)) {
    throw new ThresholdError(`threshold "${text}": unknown metric "${m[1]}" (metrics: ${known})`)
  }
  const metric = name as ThresholdMetric
  const operator = (m[2] === '=' ? '==' : m[2]) as Operator
  return { expression: text.trim(), metric, operator, value: parseValue(text, metric, m[3]!) }
}

function parseValue(text: string, metric: ThresholdMetric, raw: string): number {
  const unit = THRESHOLD_METRICS[metric].unit
  const fail = (expected: string) =>
    new ThresholdError(`threshold "${text}": ${metric} expects ${expected}, got "${raw}"`)
  if (unit === 'duration') {
    const d = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw)
    if (!d) throw fail('a duration like 2s or 500ms (a bare number is milliseconds)')
    return Number(d[1]) * DURATION_UNITS[d[2] ?? '']!
  }
  if (unit === 'ratio') {
    const r = /^(\d+(?:\.\d+)?)(%?)$/.exec(raw)
    if (!r) throw fail('a fraction of the target like 0.99, or a percentage like 99%')
    return r[2] ? Number(r[1]) / 100 : Number(r[1])
  }
  if (unit === 'rate') {
    const r = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(raw)
    if (!r) throw fail('events per second like 900000 or 900k')
    return Number(r[1]) * (r[2] === '' ? 1 : r[2]!.toLowerCase() === 'k' ? 1e3 : 1e6)
  }
  if (!/^\d+$/.test(raw)) throw fail('a whole number')
  return Number(raw)
}

/** The thresholds given, plus each default whose metric none of them tests. */
export function withDefaults(thresholds: Threshold[]): Threshold[] {
  const tested = new Set(thresholds.map((t) => t.metric))
  const defaults = DEFAULT_THRESHOLDS.map(parseThreshold).filter((t) => !tested.has(t.metric))
  return [...defaults, ...thresholds]
}

export function evaluateThresholds(thresholds: Threshold[], values: ThresholdValues): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = values[t.metric]
    if (actual === undefined || Number.isNaN(actual)) return { ...t, actual: null, ok: false }
    return { ...t, actual, ok: compare(actual, t.operator, t.value) }
  })
}

function compare(a: number, op: Operator, b: number): boolean {
  switch (op) {
    case '<':
      return a < b
    case '<=':
      return a <= b
    case '>':
      return a > b
    case '>=':
      return a >= b
    case '==':
      return a === b
    case '!=':
      return a !== b
  }
}
