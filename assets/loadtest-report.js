// Draws the load test report's four charts with uPlot (inlined before this script) from the page's
// data (#data: the summary --json prints, whose timeline holds one entry a second). Plain browser
// JavaScript, inlined as it is by src/render/loadtest-report.ts.
;(() => {
  'use strict'
  const toMs = (s) => (s === null ? null : Math.round(s * 1e6) / 1e3)
  const HEIGHT = 220
  const SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]
  const COLORS = {
    target: '#7b8494',
    achieved: '#1f6feb',
    dropped: '#c62828',
    backlog: '#d9822b',
    lag: '#8250df',
    p50: '#1a7f37',
    p99: '#c62828',
    generate: '#7fb3ee',
    validate: '#8fd1aa',
    main: '#f0cf6e',
    engine: '#ee9a78',
  }

  /** 1.2M, 350k, 12: axis ticks. */
  const compact = (v) => {
    const a = Math.abs(v)
    if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`
    if (a >= 1e3) return `${(v / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`
    return String(Math.round(v * 1000) / 1000)
  }
  const ticks = (_u, values) => values.map(compact)
  const shown = (digits, unit) => (_u, v) =>
    v === null || v === undefined
      ? '–'
      : `${v.toLocaleString('en-US', { maximumFractionDigits: digits })}${unit}`
  // An empty right-hand axis as wide as the lag axis, so that every chart's plot spans the same seconds.
  const spacer = {
    side: 1,
    size: 60,
    label: '',
    values: (_u, splits) => splits.map(() => ''),
    grid: { show: false },
    ticks: { show: false },
  }
  const line = (label, stroke, extra = {}) => ({ label, stroke, width: 2, points: { show: false }, ...extra })

  /** Target, achieved and dropped; backlog and lag; insert latency: one entry a second each. */
  function timelineCharts(seconds) {
    const t = seconds.map((x) => x.t)
    const column = (f) => seconds.map(f)
    return [
      {
        id: 'chart-rate',
        data: [t, column((x) => x.target), column((x) => x.achieved), column((x) => x.dropped)],
        series: [
          line('target', COLORS.target, { dash: [6, 4], value: shown(0, '/s') }),
          line('achieved', COLORS.achieved, { value: shown(0, '/s') }),
          line('dropped', COLORS.dropped, { width: 1, value: shown(0, ''), fill: 'rgba(198,40,40,0.12)' }),
        ],
        axes: [{ label: 'events/s', values: ticks, size: 60 }, spacer],
      },
      {
        id: 'chart-backlog',
        scales: { lag: { auto: true } },
        data: [t, column((x) => x.backlog), column((x) => x.lag_seconds)],
        series: [
          line('backlog', COLORS.backlog, { value: shown(0, ' events'), fill: 'rgba(217,130,43,0.12)' }),
          line('lag', COLORS.lag, { scale: 'lag', value: shown(3, ' s') }),
        ],
        axes: [
          { label: 'events', values: ticks, size: 60 },
          { label: 'lag (s)', scale: 'lag', side: 1, grid: { show: false }, size: 60 },
        ],
      },
      {
        id: 'chart-latency',
        scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        data: [t, column((x) => toMs(x.insert_p50_seconds)), column((x) => toMs(x.insert_p99_seconds))],
        series: [
          line('p50', COLORS.p50, { value: shown(0, ' ms'), points: { show: true, size: 5 } }),
          line('p99', COLORS.p99, { value: shown(0, ' ms'), points: { show: true, size: 5 } }),
        ],
        axes: [{ label: 'ms', values: ticks, size: 60 }, spacer],
      },
    ]
  }

  // CPU as stacked areas: each stage's band is drawn up to the sum of the stages below it, topmost
  // first so that the lower ones paint over it; the legend shows each stage's own cores.
  function cpuChart(seconds) {
    const t = seconds.map((x) => x.t)
    const stages = ['engine', 'main', 'validate', 'generate']
    const own = stages.map((stage) => seconds.map((x) => x.cpu_cores[stage]))
    const stacked = stages.map((_, i) =>
      t.map((_x, k) => Math.round(own.slice(i).reduce((sum, s) => sum + s[k], 0) * 1000) / 1000),
    )
    return {
      id: 'chart-cpu',
      data: [t, ...stacked],
      series: stages.map((stage, i) =>
        line(stage, COLORS[stage], {
          width: 1,
          fill: COLORS[stage],
          value: (_u, _v, _s, k) => (k === null || k === undefined ? '–' : `${own[i][k].toFixed(2)} cores`),
        }),
      ),
      axes: [{ label: 'cores', size: 60 }, spacer],
    }
  }

  const seconds = JSON.parse(document.getElementById('data').textContent).summary.timeline
  const charts = [...timelineCharts(seconds), cpuChart(seconds)]
  const widthOf = (el) => Math.max(320, Math.floor(el.clientWidth || 1000))
  const plots = charts.map((c) => {
    const el = document.getElementById(c.id)
    const options = {
      width: widthOf(el),
      height: HEIGHT,
      scales: { x: { time: false }, ...c.scales },
      cursor: { sync: { key: 'loadtest' } },
      series: [{ label: 't', value: shown(3, ' s') }, ...c.series],
      // Whole seconds on every chart's time axis, so that the four line up.
      axes: [{ label: 'seconds since the start', labelSize: 20, incrs: SECOND_STEPS }, ...c.axes],
    }
    return { el, plot: new uPlot(options, c.data, el) }
  })

  const resize = (width) => {
    for (const { el, plot } of plots) plot.setSize({ width: width ?? widthOf(el), height: HEIGHT })
  }
  window.addEventListener('resize', () => resize())
  // Printed: the table of every second open, and charts as wide as a page.
  window.addEventListener('beforeprint', () => {
    for (const d of document.querySelectorAll('details')) d.open = true
    resize(680)
  })
  window.addEventListener('afterprint', () => resize())
})()
