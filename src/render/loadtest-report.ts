// The load test as one self-contained HTML page: the run's parameters, its verdict and thresholds, the
// summary table, four charts over time and a table of every second. Its figures travel as one JSON
// document (the same one --json prints, plus the parameters), from which the inlined chart script draws;
// nothing is fetched, so the file can be mailed, archived or opened offline.
import type { TrafficShape } from '../loadtest/generate.js'
import type { LoadtestSummary } from '../loadtest/summary.js'
import { loadtestJson, n, secondJson, summaryRows, thresholdActual, verdict } from './loadtest.js'

/** What the run was asked to do, beyond what its summary says. */
export interface ReportRun {
  /** The arguments after `billing loadtest`, as given. */
  argv: string[]
  traffic: TrafficShape
  /** The rate the schedule's first stage starts from (events/s). */
  startRate: number
  writtenAt: Date
}

/** The code and styles the page inlines: uPlot's, and the script that draws the charts. */
export interface ReportAssets {
  uplotJs: string
  uplotCss: string
  chartsJs: string
}

type SecondJson = ReturnType<typeof secondJson>

export function loadtestReport(s: LoadtestSummary, run: ReportRun, assets: ReportAssets): string {
  const data = { summary: loadtestJson(s), run: runJson(run) }
  const title = `Load test ${verdict(s)}: ${rate(s.targetRate)} for ${s.scheduledSeconds.toFixed(1)} s on the ${s.store} store`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text(title)}</title>
<style>${inlined(assets.uplotCss, 'style')}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
${header(s, run)}
<div class="overview">
${parameters(s, run)}
${thresholds(s)}
</div>
${charts()}
${summaryTable(s)}
${secondsTable(data.summary.timeline)}
</main>
<script type="application/json" id="data">${scriptJson(data)}</script>
<script>${inlined(assets.uplotJs, 'script')}</script>
<script>${inlined(assets.chartsJs, 'script')}</script>
</body>
</html>
`
}

function runJson(run: ReportRun) {
  return {
    command: ['billing', 'loadtest', ...run.argv].join(' '),
    start_rate: run.startRate,
    customers: run.traffic.customers,
    zipf: run.traffic.zipf,
    codes: run.traffic.codes,
    seed: run.traffic.seed,
    written_at: run.writtenAt.toISOString(),
  }
}

function header(s: LoadtestSummary, run: ReportRun): string {
  const v = verdict(s)
  const failed = s.thresholds.filter((t) => !t.ok).length
  const why = s.interrupted
    ? `The run was interrupted after ${s.seconds.toFixed(1)} s: these are the figures measured until then.`
    : s.passed
      ? `Every threshold held.`
      : `${failed} of ${s.thresholds.length} thresholds failed.`
  return `<header>
<h1>Load test report</h1>
<p class="verdict ${v.toLowerCase()}"><strong>${v}</strong> ${text(why)}</p>
<p class="meta">${text(`${s.store} store, database ${s.database}, run ${s.run}; written ${run.writtenAt.toISOString()}`)}</p>
</header>`
}

function parameters(s: LoadtestSummary, run: ReportRun): string {
  const rows: [string, string][] = [
    ['Command', ['billing', 'loadtest', ...run.argv].map(shellWord).join(' ')],
    ['Schedule', describeStages(s.stages, run.startRate)],
    ['Average target rate', `${rate(s.targetRate)} over ${s.scheduledSeconds.toFixed(1)} s`],
    ['Customers', `${n(run.traffic.customers)} (Zipf exponent ${run.traffic.zipf})`],
    ['Event codes', run.traffic.codes.join(', ')],
    ['Seed', String(run.traffic.seed)],
    ['Generation workers', String(s.time.workers)],
    ['Store', `${s.store}, database ${s.database}, run ${s.run}`],
  ]
  return `<section id="parameters">
<h2>Parameters</h2>
${keyValueTable(rows)}
</section>`
}

/** `0 → 300,000/s over 5 s, then 300,000/s for 20 s`. */
export function describeStages(stages: { target: number; seconds: number }[], startRate: number): string {
  let from = startRate
  return stages
    .map((st) => {
      const part =
        st.target === from
          ? `${rate(st.target)} for ${st.seconds} s`
          : `${n(from)} → ${rate(st.target)} over ${st.seconds} s`
      from = st.target
      return part
    })
    .join(', then ')
}

function thresholds(s: LoadtestSummary): string {
  const rows = s.thresholds.map(
    (r) =>
      `<tr class="${r.ok ? 'ok' : 'fail'}"><td class="mark">${r.ok ? '✓' : '✗'}</td>` +
      `<td><code>${text(r.expression)}</code></td><td class="num">${text(thresholdActual(r))}</td></tr>`,
  )
  return `<section id="thresholds">
<h2>Thresholds</h2>
<table class="thresholds">
<thead><tr><th></th><th>Threshold</th><th class="num">Observed</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>`
}

const CHARTS = [
  [
    'chart-rate',
    'Target, achieved and dropped events',
    'events per second, each second; dropped: due events not sent because the backlog was full (--max-backlog)',
  ],
  [
    'chart-backlog',
    'Backlog and lag',
    'events due and not yet stored (left); how far the stored events trail the schedule, s (right)',
  ],
  [
    'chart-latency',
    'Insert latency',
    'p50 and p99 of the INSERTs that returned in each second, ms; a gap: none returned',
  ],
  [
    'chart-cpu',
    'CPU by stage',
    'cores busy, stacked: generating lines, validating and staging them, the main thread, the engine',
  ],
] as const

function charts(): string {
  const figures = CHARTS.map(
    ([id, title, caption]) =>
      `<figure><h3>${title}</h3><p class="caption">${caption}</p><div class="chart" id="${id}"></div></figure>`,
  )
  return `<section id="charts">
<h2>Over time</h2>
<noscript><p class="note">The charts need JavaScript; every second's figures are in the table at the end.</p></noscript>
${figures.join('\n')}
</section>`
}

function summaryTable(s: LoadtestSummary): string {
  return `<section id="summary">
<h2>Summary</h2>
${keyValueTable(summaryRows(s))}
</section>`
}

/** The per-second table's columns: heading, and the cell of one second. */
const SECOND_COLUMNS: [string, (x: SecondJson) => string][] = [
  ['t (s)', (x) => decimal(x.t)],
  ['target (/s)', (x) => n(x.target)],
  ['achieved (/s)', (x) => n(x.achieved)],
  ['backlog', (x) => n(x.backlog)],
  ['lag (s)', (x) => x.lag_seconds.toFixed(3)],
  ['dropped', (x) => n(x.dropped)],
  ['insert p50 (ms)', (x) => ms(x.insert_p50_seconds)],
  ['insert p99 (ms)', (x) => ms(x.insert_p99_seconds)],
  ['CPU generate', (x) => x.cpu_cores.generate.toFixed(3)],
  ['CPU validate', (x) => x.cpu_cores.validate.toFixed(3)],
  ['CPU main', (x) => x.cpu_cores.main.toFixed(3)],
  ['CPU engine', (x) => x.cpu_cores.engine.toFixed(3)],
]

function secondsTable(seconds: SecondJson[]): string {
  const head = SECOND_COLUMNS.map(([h]) => `<th class="num">${h}</th>`).join('')
  const rows = seconds.map(
    (x) => `<tr>${SECOND_COLUMNS.map(([, cell]) => `<td class="num">${cell(x)}</td>`).join('')}</tr>`,
  )
  return `<section id="seconds">
<h2>Every second</h2>
<details>
<summary>${seconds.length} seconds (CPU in cores; – : no INSERT returned that second)</summary>
<table class="seconds">
<thead><tr>${head}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</details>
</section>`
}

function keyValueTable(rows: [string, string][]): string {
  const body = rows.map(([k, v]) => `<tr><th>${text(k)}</th><td>${text(v)}</td></tr>`)
  return `<table class="figures">\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`
}

const rate = (x: number) => `${n(x)}/s`
const decimal = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3))
const ms = (seconds: number | null) => (seconds === null ? '–' : String(Math.round(seconds * 1000)))

/** A word of a command line as a shell would need it quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}

/** Text for an element or an attribute. */
export function text(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * JSON that stays inside its <script> element: `<`, `>` and `&` are escaped in the strings that hold
 * them (so no `</script>` or `<!--` appears), and so are U+2028 and U+2029, which old parsers end lines at.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** Code inlined into an element, which must not hold that element's end tag (or a comment opener). */
function inlined(code: string, element: 'script' | 'style'): string {
  if (new RegExp(`</${element}|<!--`, 'i').test(code))
    throw new Error(`cannot inline this code into <${element}>: it holds </${element} or <!--`)
  return code
}

const PAGE_CSS = `
:root { --ink: #1d2430; --muted: #5d6778; --rule: #d9dee7; --ok: #1a7f37; --fail: #c62828; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 14px; margin: 0; }
.meta, .caption, .note { color: var(--muted); margin: 2px 0 8px; }
.verdict { display: inline-block; margin: 4px 0; padding: 6px 12px; border-radius: 6px; border: 1px solid; }
.verdict.passed { color: var(--ok); background: #e9f6ec; }
.verdict.failed { color: var(--fail); background: #fdecec; }
.verdict.interrupted { color: var(--warn); background: #fff6dd; }
table { border-collapse: collapse; }
th, td { padding: 3px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid #eef1f5; }
table.figures th { font-weight: 500; color: var(--muted); white-space: pre; }
.overview { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 0 40px; }
@media (max-width: 800px) { .overview { grid-template-columns: minmax(0, 1fr); } }
table.figures td { font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
table.thresholds .mark { font-weight: 700; font-size: 16px; }
tr.ok .mark { color: var(--ok); }
tr.fail .mark, tr.fail td { color: var(--fail); }
figure { margin: 0 0 22px; break-inside: avoid; }
.chart { min-height: 220px; }
details summary { cursor: pointer; color: var(--muted); margin-bottom: 6px; }
table.seconds { font-size: 12px; }
table.seconds th { position: sticky; top: 0; background: #fff; font-weight: 600; white-space: nowrap; }
@media print {
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  details summary { display: none; }
  table.seconds th { position: static; }
}
`
