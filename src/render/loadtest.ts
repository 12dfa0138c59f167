// The load test's live line and summary: a table for people, one JSON document for programs.
import Table from 'cli-table3'
import type { LoadtestProgress } from '../loadtest/loadtest.js'
import type { LoadtestSummary } from '../loadtest/summary.js'
import type { ThresholdResult } from '../loadtest/thresholds.js'
import { THRESHOLD_METRICS } from '../loadtest/thresholds.js'

/** A count, rounded, with thousands separators. */
export const n = (x: number) => Math.round(x).toLocaleString('en-US')
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`
const round = (x: number, digits = 3) => Number(x.toFixed(digits))
/** Rounded down, so that 98.96 % never shows as a passing 99.0 %. */
export const percent = (ratio: number) => (Math.floor(ratio * 1000 + 1e-9) / 10).toFixed(1)

/** One line: elapsed, target vs achieved rate, stored, backlog and lag, insert latency. */
export function progressLine(p: LoadtestProgress): string {
  const lag = p.backlog > 0 ? ` (lag ${secs(p.lagMs)})` : ''
  return (
    `${secs(p.elapsedMs).padStart(6)}  target ${n(p.targetRate)}/s  achieved ${n(p.achievedRate)}/s  ` +
    `stored ${n(p.stored)}  backlog ${n(p.backlog)}${lag}  insert p50 ${secs(p.insertP50Ms)} p99 ${secs(p.insertP99Ms)}`
  )
}

/** A threshold's observed value, in the unit it is written in. */
export function thresholdActual(r: ThresholdResult): string {
  if (r.actual === null) return 'not measured'
  const unit = THRESHOLD_METRICS[r.metric].unit
  if (unit === 'duration') return secs(r.actual)
  if (unit === 'ratio') return `${(r.actual * 100).toFixed(2)}%`
  return n(r.actual)
}

/** The summary's figures as label and value, for the terminal table and the HTML report alike. */
export function summaryRows(s: LoadtestSummary): [string, string][] {
  const t = s.time
  const opt = (x: number | null, f: (x: number) => string) => (x === null ? 'n/a' : f(x))
  return [
    ['Target rate', `${n(s.targetRate)}/s over ${s.scheduledSeconds.toFixed(1)} s`],
    ['Achieved rate', `${n(s.achievedRate)}/s (${percent(s.rateRatio)}% of target)`],
    ['Events generated', n(s.generated)],
    ['Dropped (backlog full)', n(s.dropped)],
    ['Stored (confirmed by INSERT)', `${n(s.stored)} (the INSERTs wrote ${n(s.written)} rows)`],
    ['Counted back (rows of the run)', `${n(s.confirmed)} events in ${n(s.rows)} rows`],
    ['Lost', n(s.lost)],
    [
      'Duplicates',
      `${n(s.duplicates)}${s.copiesCountedBeforeMerges ? ' (counted with merges held)' : ' (merges ran: copies merged away go uncounted)'}`,
    ],
    ['Largest backlog', `${n(s.maxBacklog)} events, lag ${secs(s.maxLagSeconds * 1000)}`],
    ['Drain after the schedule', secs(s.drainSeconds * 1000)],
    [
      'Insert batch latency',
      `p50 ${secs(s.insert.p50)}  p95 ${secs(s.insert.p95)}  p99 ${secs(s.insert.p99)}  max ${secs(s.insert.max)}`,
    ],
    [
      'Insert batches',
      `${n(s.insert.count)} of ${n(s.insert.eventsPerBatch)} events, ${s.insert.mbPerSecond.toFixed(0)} MB/s`,
    ],
    [
      'Scheduled -> stored (per batch)',
      `p50 ${secs(s.delay.p50)}  p99 ${secs(s.delay.p99)}  max ${secs(s.delay.max)}`,
    ],
    [
      'invoice --all',
      s.invoice ? `${secs(s.invoice.ms)} (${n(s.invoice.invoices)} invoices)` : 'not timed (no plans)',
    ],
    ['Count back', secs(s.countSeconds * 1000)],
    [
      'Where the time went',
      `wall ${t.wallSeconds.toFixed(1)} s, CPU ${t.processCpuSeconds.toFixed(1)} s (${(t.processCpuSeconds / t.wallSeconds).toFixed(2)} cores busy)`,
    ],
    [
      `  pipeline: ${t.workers} worker(s)`,
      `CPU ${t.workerCpuSeconds.toFixed(2)} s (generating lines ${t.generateSeconds.toFixed(2)} s, the rest validating and staging)`,
    ],
    ['  main thread: schedule, client', opt(t.mainCpuSeconds, (x) => `CPU ${x.toFixed(2)} s`)],
    ['  engine: insert, merges', opt(t.engineCpuSeconds, (x) => `CPU ${x.toFixed(2)} s`)],
    ['    INSERTs (wall)', `${t.insertSeconds.toFixed(2)} s, of which sorting ${t.sortSeconds.toFixed(2)} s`],
    [
      '    merges (wall, completed)',
      `${t.mergeSeconds.toFixed(2)} s, ${n(t.mergedRows)} rows; ${n(t.activeParts)} parts left`,
    ],
  ]
}

/** PASSED, FAILED or INTERRUPTED. */
export function verdict(s: LoadtestSummary): string {
  return s.passed ? 'PASSED' : s.interrupted ? 'INTERRUPTED' : 'FAILED'
}

export function loadtestTable(s: LoadtestSummary): string {
  const table = new Table({ colAligns: ['left', 'right'], style: { head: [], border: [], compact: true } })
  table.push(...summaryRows(s))
  const head = `Load test on the ${s.store} store, database ${s.database}, run ${s.run}${s.interrupted ? ' (INTERRUPTED)' : ''}`
  const checks = s.thresholds.map(
    (r) => `${r.ok ? 'ok  ' : 'FAIL'}  ${r.expression.padEnd(18)} ${thresholdActual(r)}`,
  )
  return `${head}\n${table.toString()}\nThresholds\n${checks.join('\n')}\n${verdict(s)}`
}

export function loadtestJson(s: LoadtestSummary) {
  return {
    store: s.store,
    database: s.database,
    run: s.run,
    stages: s.stages,
    target_rate: Math.round(s.targetRate),
    scheduled_seconds: round(s.scheduledSeconds),
    events: {
      scheduled: s.scheduled,
      generated: s.generated,
      dropped: s.dropped,
      stored: s.stored,
      written: s.written,
      confirmed: s.confirmed,
      rows: s.rows,
      lost: s.lost,
      duplicates: s.duplicates,
      copies_counted_before_merges: s.copiesCountedBeforeMerges,
    },
    achieved_rate: Math.round(s.achievedRate),
    rate_ratio: round(s.rateRatio, 4),
    seconds: round(s.seconds),
    drain_seconds: round(s.drainSeconds),
    max_backlog: s.maxBacklog,
    max_lag_seconds: round(s.maxLagSeconds),
    timeline: s.timeline.map(secondJson),
    insert_latency_seconds: latencyJson(s.insert),
    insert_batches: { count: s.insert.count, events_per_batch: Math.round(s.insert.eventsPerBatch) },
    scheduled_to_stored_seconds: latencyJson(s.delay),
    invoice_all: s.invoice
      ? {
          seconds: round(s.invoice.ms / 1000),
          invoices: s.invoice.invoices,
          period: { from: s.invoice.period.from.toISOString(), to: s.invoice.period.to.toISOString() },
        }
      : null,
    count_seconds: round(s.countSeconds),
    time: timeJson(s.time),
    thresholds: s.thresholds.map((r) => ({ threshold: r.expression, actual: r.actual, ok: r.ok })),
    passed: s.passed,
    interrupted: s.interrupted,
  }
}

function latencyJson(l: LoadtestSummary['delay']) {
  return {
    count: l.count,
    p50: round(l.p50 / 1000),
    p95: round(l.p95 / 1000),
    p99: round(l.p99 / 1000),
    max: round(l.max / 1000),
  }
}

export function secondJson(x: LoadtestSummary['timeline'][number]) {
  return {
    t: round(x.t),
    target: Math.round(x.target),
    achieved: Math.round(x.achieved),
    backlog: x.backlog,
    lag_seconds: round(x.lagMs / 1000),
    dropped: x.dropped,
    insert_p50_seconds: x.insertP50Ms === null ? null : round(x.insertP50Ms / 1000),
    insert_p99_seconds: x.insertP99Ms === null ? null : round(x.insertP99Ms / 1000),
    // CPU in cores (ms of CPU per second / 1000), by stage.
    cpu_cores: {
      generate: round(x.cpu.generate / 1000),
      validate: round(x.cpu.validate / 1000),
      main: round(x.cpu.main / 1000),
      engine: round(x.cpu.engine / 1000),
    },
  }
}

function timeJson(t: LoadtestSummary['time']) {
  const orNull = (x: number | null) => (x === null ? null : round(x))
  return {
    wall_seconds: round(t.wallSeconds),
    process_cpu_seconds: round(t.processCpuSeconds),
    worker_cpu_seconds: round(t.workerCpuSeconds),
    main_cpu_seconds: orNull(t.mainCpuSeconds),
    engine_cpu_seconds: orNull(t.engineCpuSeconds),
    generate_seconds: round(t.generateSeconds),
    insert_seconds: round(t.insertSeconds),
    sort_seconds: round(t.sortSeconds),
    merge_seconds: round(t.mergeSeconds),
    merged_rows: t.mergedRows,
    active_parts: t.activeParts,
    workers: t.workers,
  }
}
