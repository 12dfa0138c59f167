// The HTML report (--report) built from a made-up run of 90 seconds whose every figure is known.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import vm from 'node:vm'
import { parse, type HTMLElement } from 'node-html-parser'
import { describe, expect, it } from 'vitest'
import type { LoadtestSummary } from '../../src/loadtest/summary.js'
import { parseThreshold } from '../../src/loadtest/thresholds.js'
import type { SecondSample } from '../../src/loadtest/timeline.js'
import { EVENT_CODES } from '../../src/loadtest/traffic.js'
import { summaryRows } from '../../src/render/loadtest.js'
import { loadtestReport, type ReportRun } from '../../src/render/loadtest-report.js'
import { exitCodeOf } from '../../src/cli/exit-codes.js'
import {
  checkReportFile,
  reportAssets,
  ReportFileError,
  writeLoadtestReport,
} from '../../src/render/loadtest-report-file.js'

const SECONDS = 90
/** The second without an INSERT returning (1-based). */
const QUIET = 41
const HOSTILE = '</script><script>window.pwned=1</script>\u2028<!--'

/** Second i (0-based): figures that differ from second to second; the last second is a partial one. */
function second(i: number): SecondSample {
  const quiet = i + 1 === QUIET
  return {
    t: i === SECONDS - 1 ? 89.6 : i + 1,
    target: i < 10 ? 30_000 * (i + 1) : 300_000,
    achieved: 290_000 + i * 7,
    backlog: 1000 * i + 3,
    lagMs: 10 * i + 1,
    dropped: i === 60 ? 5000 : 0,
    insertP50Ms: quiet ? null : 100 + i,
    insertP99Ms: quiet ? null : 300 + 2 * i,
    cpu: { generate: 250 + i, validate: 400 + i, main: 50 + i, engine: 700 + i },
  }
}

function summary(over: Partial<LoadtestSummary> = {}): LoadtestSummary {
  const latency = { count: 80, p50: 120, p95: 380, p99: 460, max: 520, mean: 150 }
  const thresholds = [
    { ...parseThreshold('rate>=0.99'), actual: 0.995, ok: true },
    { ...parseThreshold('lost==0'), actual: 0, ok: true },
    { ...parseThreshold('p99<150ms'), actual: 460, ok: false },
    { ...parseThreshold('p95<2s'), expression: `p95<2s ${HOSTILE}`, actual: 380, ok: true },
  ]
  return {
    store: 'embedded',
    database: `db${HOSTILE}`,
    run: 7,
    stages: [
      { target: 300_000, seconds: 10 },
      { target: 300_000, seconds: 79.6 },
    ],
    targetRate: 283_240,
    scheduledSeconds: 89.6,
    scheduled: 25_378_304,
    generated: 25_373_304,
    dropped: 5000,
    stored: 25_373_304,
    written: 25_373_304,
    confirmed: 25_373_304,
    rows: 25_373_304,
    lost: 0,
    duplicates: 0,
    copiesCountedBeforeMerges: true,
    achievedRate: 281_850,
    rateRatio: 0.995,
    seconds: 90.1,
    drainSeconds: 0.5,
    maxBacklog: 89_003,
    maxLagSeconds: 0.891,
    timeline: Array.from({ length: SECONDS }, (_, i) => second(i)),
    insert: { ...latency, eventsPerBatch: 317_166, mbPerSecond: 60 },
    delay: latency,
    invoice: null,
    countSeconds: 0.8,
    time: {
      wallSeconds: 90.1,
      processCpuSeconds: 130,
      workerCpuSeconds: 60,
      generateSeconds: 25,
      mainCpuSeconds: 8,
      engineCpuSeconds: 62,
      insertSeconds: 70,
      sortSeconds: 9,
      mergeSeconds: 12,
      mergedRows: 20_000_000,
      activeParts: 6,
      workers: 1,
    },
    thresholds,
    passed: false,
    interrupted: false,
    ...over,
  }
}

const run: ReportRun = {
  argv: ['--ramp', '300k:10s,300k:79.6s', '--report', `/tmp/r${HOSTILE}.html`],
  traffic: { customers: 10_000, zipf: 1, codes: EVENT_CODES, seed: 1 },
  startRate: 0,
  writtenAt: new Date('2026-12-01T10:00:00Z'),
}

const assets = reportAssets()

function page(s = summary()) {
  const html = loadtestReport(s, run, assets)
  const root = parse(html)
  const blob = root.querySelector('script#data')!
  return { html, root, data: JSON.parse(blob.textContent) }
}

const cells = (row: HTMLElement) => row.querySelectorAll('td').map((td) => td.textContent.trim())
const number = (cell: string) => (cell === '–' ? null : Number(cell.replaceAll(',', '')))

describe('the HTML report of a load test', () => {
  it("holds every second's figures, exactly, in its data", () => {
    const { data } = page()
    expect(data.summary.timeline).toHaveLength(SECONDS)
    data.summary.timeline.forEach((x: unknown, i: number) => {
      const s = second(i)
      expect(x, `second ${i + 1}`).toEqual({
        t: s.t,
        target: s.target,
        achieved: s.achieved,
        backlog: s.backlog,
        lag_seconds: s.lagMs / 1000,
        dropped: s.dropped,
        insert_p50_seconds: s.insertP50Ms === null ? null : s.insertP50Ms / 1000,
        insert_p99_seconds: s.insertP99Ms === null ? null : s.insertP99Ms / 1000,
        cpu_cores: {
          generate: s.cpu.generate / 1000,
          validate: s.cpu.validate / 1000,
          main: s.cpu.main / 1000,
          engine: s.cpu.engine / 1000,
        },
      })
    })
    expect(data.run).toMatchObject({ customers: 10_000, zipf: 1, seed: 1, start_rate: 0 })
  })

  it('has a table row for every second, with the same figures', () => {
    const { root } = page()
    const rows = root.querySelectorAll('#seconds table tbody tr')
    expect(rows).toHaveLength(SECONDS)
    rows.forEach((row, i) => {
      const s = second(i)
      expect(cells(row).map(number), `second ${i + 1}`).toEqual([
        s.t,
        s.target,
        s.achieved,
        s.backlog,
        s.lagMs / 1000,
        s.dropped,
        s.insertP50Ms,
        s.insertP99Ms,
        s.cpu.generate / 1000,
        s.cpu.validate / 1000,
        s.cpu.main / 1000,
        s.cpu.engine / 1000,
      ])
    })
  })

  it('shows each threshold with ✓ or ✗, its expression and what was observed', () => {
    const { root } = page()
    const rows = root.querySelectorAll('#thresholds tbody tr').map(cells)
    expect(rows).toEqual([
      ['✓', 'rate>=0.99', '99.50%'],
      ['✓', 'lost==0', '0'],
      ['✗', 'p99<150ms', '0.46s'],
      ['✓', `p95<2s ${HOSTILE}`, '0.38s'],
    ])
    expect(root.querySelector('.verdict')!.textContent).toMatch(/^FAILED 1 of 4 thresholds failed/)
  })

  it('holds the summary table the terminal shows, and the parameters of the run', () => {
    const { root } = page()
    const rows = root
      .querySelectorAll('#summary tr')
      .map((tr) => [tr.querySelector('th')!.textContent, tr.querySelector('td')!.textContent])
    expect(rows).toEqual(summaryRows(summary()))
    const parameters = root.querySelector('#parameters')!.textContent
    expect(parameters).toContain('0 → 300,000/s over 10 s, then 300,000/s for 79.6 s')
    expect(parameters).toContain('10,000 (Zipf exponent 1)')
    expect(parameters).toContain(
      `billing loadtest --ramp 300k:10s,300k:79.6s --report '/tmp/r${HOSTILE}.html'`,
    )
  })

  it('says when the run was interrupted, and still holds what was measured', () => {
    const { root, data } = page(summary({ interrupted: true, timeline: [second(0), second(1)] }))
    expect(root.querySelector('.verdict')!.textContent).toMatch(/^INTERRUPTED The run was interrupted after/)
    expect(root.querySelector('title')!.textContent).toMatch(/^Load test INTERRUPTED/)
    expect(data.summary.interrupted).toBe(true)
    expect(root.querySelectorAll('#seconds tbody tr')).toHaveLength(2)
  })

  it('needs no network: uPlot and the chart script are inlined, nothing has a URL to load', () => {
    const { html, root } = page()
    const scripts = root.querySelectorAll('script')
    expect(scripts.map((s) => s.getAttribute('type') ?? 'js')).toEqual(['application/json', 'js', 'js'])
    const require = createRequire(import.meta.url)
    expect(scripts[1]!.textContent).toBe(
      readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    )
    expect(scripts[2]!.textContent).toBe(assets.chartsJs)
    expect(html).toContain(readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'))
    for (const el of root.querySelectorAll('script, link, img, iframe, source, object, embed, a')) {
      for (const name of ['src', 'href', 'data'])
        expect(el.getAttribute(name) ?? '').not.toMatch(/^(https?:)?\/\//)
    }
    expect(root.querySelectorAll('link, img, iframe')).toHaveLength(0)
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/)
  })

  it("keeps user text from breaking out of its element: '</script>', '<!--' and U+2028", () => {
    const { html, root, data } = page()
    expect(html).not.toContain('<script>window.pwned')
    expect(root.querySelectorAll('script')).toHaveLength(3)
    const blob = root.querySelector('script#data')!.textContent
    expect(blob).not.toMatch(/<\/script|<!--|\u2028/i)
    // The text itself survives, in the data and on the page.
    expect(data.summary.database).toBe(`db${HOSTILE}`)
    expect(data.run.command).toContain(`/tmp/r${HOSTILE}.html`)
    expect(root.querySelector('.meta')!.textContent).toContain(`database db${HOSTILE}`)
  })

  it('draws four charts from the data, every second on each', () => {
    const { root } = page()
    const drawn = drawCharts(root)
    expect(drawn.map((c) => c.id)).toEqual(['chart-rate', 'chart-backlog', 'chart-latency', 'chart-cpu'])
    for (const c of drawn) {
      expect(c.data.length, c.id).toBe(c.series.length)
      for (const column of c.data) expect(column, c.id).toHaveLength(SECONDS)
      expect(c.data[0]).toEqual(Array.from({ length: SECONDS }, (_, i) => second(i).t))
    }
    const [rate, backlog, latency, cpu] = drawn
    expect(rate!.data.slice(1)).toEqual([
      Array.from({ length: SECONDS }, (_, i) => second(i).target),
      Array.from({ length: SECONDS }, (_, i) => second(i).achieved),
      Array.from({ length: SECONDS }, (_, i) => second(i).dropped),
    ])
    expect(backlog!.data[2]![5]).toBe(0.051)
    expect(latency!.data[1]![QUIET - 1]).toBeNull()
    expect(latency!.data[2]![QUIET]).toBe(300 + 2 * QUIET)
    // Stacked: the top band is every stage's cores together.
    const c = second(3).cpu
    expect(cpu!.data[1]![3]).toBeCloseTo((c.generate + c.validate + c.main + c.engine) / 1000, 9)
    expect(cpu!.data[4]![3]).toBe(c.generate / 1000)
  })
})

describe('the report file', () => {
  it('is refused before the run where it could not be written, as a usage error', () => {
    const missing = path.join(tmpdir(), 'billing-no-such-folder', 'r.html')
    expect(() => checkReportFile(missing)).toThrow(`--report ${missing}: there is no folder`)
    expect(() => checkReportFile(tmpdir())).toThrow(`--report ${tmpdir()}: that is not a file`)
    expect(() => checkReportFile(path.join(tmpdir(), 'r.html'))).not.toThrow()
    try {
      checkReportFile(missing)
    } catch (e) {
      expect(e).toBeInstanceOf(ReportFileError)
      expect(exitCodeOf(e)).toBe(2)
    }
  })

  it('that cannot be written after the run fails with a message, and leaves no temporary file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'billing-report-'))
    try {
      // A folder where the file should be: the temporary file is written, the rename fails.
      const taken = path.join(dir, 'taken.html')
      mkdirSync(taken)
      expect(() => writeLoadtestReport(taken, summary(), run)).toThrow(
        new RegExp(`^could not write the report ${taken}: `),
      )
      expect(readdirSync(dir)).toEqual(['taken.html'])
    } finally {
      rmSync(dir, { recursive: true })
    }
  })
})

/** Runs the page's chart script with uPlot replaced by a recorder. */
function drawCharts(root: HTMLElement) {
  const drawn: { id: string; series: unknown[]; data: (number | null)[][] }[] = []
  const element = (id: string) =>
    id === 'data'
      ? { textContent: root.querySelector('script#data')!.textContent }
      : { id, clientWidth: 1000 }
  class UPlot {
    constructor(options: { series: unknown[] }, data: (number | null)[][], el: { id: string }) {
      drawn.push({ id: el.id, series: options.series, data })
    }
    setSize() {}
  }
  const context = {
    uPlot: UPlot,
    document: { getElementById: element, querySelectorAll: () => [] },
    window: { addEventListener: () => {} },
  }
  vm.runInNewContext(root.querySelectorAll('script')[2]!.textContent, context)
  return drawn
}
