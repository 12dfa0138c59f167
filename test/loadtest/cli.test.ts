// `billing loadtest` run as a user or a CI job would: the built CLI, its exit codes and its output.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { removeTempDirs, tempDir } from '../support/events.js'

const root = path.resolve(import.meta.dirname, '../..')
const data = tempDir('loadtest-cli')
afterAll(() => removeTempDirs())

function billing(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/run.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, BILLING_DATA: data, CLICKHOUSE_URL: '', BILLING_DATABASE: 'billing' },
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const SMALL = ['--customers', '100', '--duration', '2s']

describe('billing loadtest', () => {
  it('prints one JSON summary, shows progress on stderr, and exits 0 when every threshold holds', () => {
    const r = billing([
      'loadtest',
      '--rate',
      '2000',
      ...SMALL,
      '--json',
      '--keep',
      '--threshold',
      'rate>=0.8',
    ])
    expect(r.stderr).toMatch(/target 2,000\/s {2}achieved [\d,]+\/s {2}stored [\d,]+ {2}backlog/)
    expect(r.code).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(Object.keys(s)).toEqual([
      'store',
      'database',
      'run',
      'stages',
      'target_rate',
      'scheduled_seconds',
      'events',
      'achieved_rate',
      'rate_ratio',
      'seconds',
      'drain_seconds',
      'max_backlog',
      'max_lag_seconds',
      'timeline',
      'insert_latency_seconds',
      'insert_batches',
      'scheduled_to_stored_seconds',
      'invoice_all',
      'count_seconds',
      'time',
      'thresholds',
      'passed',
      'interrupted',
    ])
    expect(s).toMatchObject({ store: 'embedded', database: 'billing_loadtest', target_rate: 2000 })
    expect(s.events).toEqual({
      scheduled: 4000,
      generated: 4000,
      dropped: 0,
      stored: 4000,
      written: 4000,
      confirmed: 4000,
      rows: 4000,
      lost: 0,
      duplicates: 0,
      copies_counted_before_merges: true,
    })
    // Every second of the run, for the report.
    expect(s.timeline.length).toBeGreaterThanOrEqual(2)
    expect(Object.keys(s.timeline[0])).toEqual([
      't',
      'target',
      'achieved',
      'backlog',
      'lag_seconds',
      'dropped',
      'insert_p50_seconds',
      'insert_p99_seconds',
      'cpu_cores',
    ])
    expect(Object.keys(s.insert_latency_seconds)).toEqual(['count', 'p50', 'p95', 'p99', 'max'])
    expect(s.invoice_all).toMatchObject({ invoices: 100 })
    expect(s.invoice_all.seconds).toBeGreaterThan(0)
    expect(s.thresholds.map((t: { threshold: string; ok: boolean }) => [t.threshold, t.ok])).toEqual([
      ['lost==0', true],
      ['duplicates==0', true],
      ['dropped==0', true],
      ['rate>=0.8', true],
    ])
    expect(s).toMatchObject({ passed: true, interrupted: false })
  })

  it('exits 99 when a threshold fails, as k6 does, and drops its database unless --keep', () => {
    const r = billing(['loadtest', '--rate', '1000', ...SMALL, '--json', '--threshold', 'p99<0ms'])
    expect(r.code).toBe(99)
    const s = JSON.parse(r.stdout)
    expect(s.thresholds.find((t: { threshold: string }) => t.threshold === 'p99<0ms')).toMatchObject({
      ok: false,
    })
    expect(s.passed).toBe(false)

    const again = billing([
      'loadtest',
      '--rate',
      '1000',
      '--duration',
      '1s',
      '--no-invoice',
      '--threshold',
      'rate>=0.5',
    ])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/Lost\s+│\s+0 │/)
    expect(again.stdout).toMatch(/ok {4}rate>=0\.5/)
    expect(again.stdout).toMatch(/\nPASSED$/m)
    expect(again.stdout).toMatch(/invoice --all\s+│\s+not timed/)
    // Without --keep the database is gone: there is nothing left to invoice.
    const gone = billing(['invoice', '--all', '--period', '2026-10', '--database', 'billing_loadtest'])
    expect(gone.code).toBe(5)
    expect(gone.stderr).toMatch(/no store: there is no database billing_loadtest/)
  })

  it('refuses a database that holds billing data and leaves it alone', () => {
    expect(billing(['ingest', 'plans/events.ndjson', '--database', 'real', '--json']).code).toBe(0)
    const r = billing(['loadtest', '--rate', '100', '--duration', '1s', '--database', 'real'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/holds billing data/)
    const invoice = billing([
      'invoice',
      '--customer',
      'acme',
      '--period',
      '2026-10',
      '--database',
      'real',
      '--json',
    ])
    expect(invoice.code).toBe(0)
  })

  it('exits 2 on a bad flag, naming what was expected', () => {
    const bad = [
      [['--rate', '1000', '--threshold', 'speed>1'], /unknown metric "speed"/],
      [['--rate', 'fast'], /--rate "fast": expected events per second/],
      [['--rate', '10', '--duration', 'soon'], /--duration "soon": expected a duration/],
      [['--ramp', '1000'], /expected RATE:DURATION/],
      [['--rate', '10', '--codes', 'tokens'], /unknown: tokens/],
      [[], /exactly one of the following must be provided: --rate, --ramp|--rate|--ramp/],
    ] as const
    for (const [args, message] of bad) {
      const r = billing(['loadtest', ...args])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(message)
    }
  })
})
