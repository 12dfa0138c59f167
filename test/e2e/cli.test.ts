// The built CLI, run as a user would, on the example plans and events in a temporary data folder.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')
let tmp: string

function billing(args: string[], options: { data?: string; input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    input: options.input,
    encoding: 'utf8',
    env: {
      ...process.env,
      BILLING_DATA: options.data ?? path.join(tmp, 'data'),
      CLICKHOUSE_URL: '',
      ...options.env,
    },
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

function line(tx: string, customer: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    transaction_id: tx,
    customer,
    code: 'api_calls',
    timestamp: '2026-10-05T12:00:00Z',
    ...extra,
  })
}

afterAll(() => rmSync(tmp, { recursive: true, force: true }))

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'billing-e2e-'))
})

describe('billing CLI on the example folder', () => {
  it('validates the example plans', () => {
    const r = billing(['plans', 'validate', 'plans'])
    expect(r.stdout.trim()).toBe('3 plans, 4 customers: OK')
    expect(r.code).toBe(0)
  })

  it('ingests the example events, and a second run stores nothing new', () => {
    const first = billing(['ingest', 'plans/events.ndjson', '--json'])
    expect(first.code).toBe(0)
    const s1 = JSON.parse(first.stdout)
    expect(s1).toMatchObject({ lines: 4587, stored: 4587, new_events: 4557, rejected: 0 })
    expect(s1.duplicates).toEqual({ in_input: 30, already_stored: 0 })

    const second = JSON.parse(billing(['ingest', 'plans/events.ndjson', '--json']).stdout)
    expect(second).toMatchObject({ new_events: 0, duplicates: { in_input: 30, already_stored: 4557 } })
  })

  it('prints exactly one JSON invoice with decimal strings', () => {
    const r = billing(['invoice', '--customer', 'acme', '--period', '2026-10', '--json'])
    expect(r.code).toBe(0)
    const invoice = JSON.parse(r.stdout)
    expect(Object.keys(invoice)).toEqual([
      'customer',
      'customer_name',
      'plan',
      'currency',
      'period',
      'intervals',
      'subtotal',
      'tax_rate',
      'tax',
      'total',
      'unbilled',
    ])
    expect(invoice.period).toEqual({ from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' })
    expect(invoice.intervals).toHaveLength(1)
    const lines = invoice.intervals[0].lines
    expect(lines.map((l: { type: string }) => l.type)).toEqual([
      'fixed_fee',
      'usage',
      'usage',
      'usage',
      'usage',
      'usage',
      'usage',
    ])
    // 1,500 calls in October (the copies and the September/November events do not count).
    expect(lines[2]).toEqual({
      type: 'usage',
      metric: 'api_calls',
      model: 'graduated',
      group: null,
      units: '1500',
      amount: '5.00',
      tiers: [
        {
          tier: 1,
          from: '0',
          up_to: '1000',
          units: '1000',
          unit_price: '0',
          flat_fee: '0.00',
          amount: '0.00',
        },
        {
          tier: 2,
          from: '1000',
          up_to: '10000',
          units: '500',
          unit_price: '0.01',
          flat_fee: '0.00',
          amount: '5.00',
        },
      ],
    })
    expect(invoice.subtotal).toBe('280.10')
    expect(invoice.tax).toBe('56.02')
    expect(invoice.total).toBe('336.12')
  })

  it('bills from the cached catalog of an unchanged folder, and from the files once one changes', () => {
    const plans = path.join(tmp, 'cached-plans')
    cpSync(path.join(root, 'plans'), plans, { recursive: true })
    const env = { BILLING_CACHE_DIR: path.join(tmp, 'cache') }
    const args = ['invoice', '--customer', 'acme', '--period', '2026-10', '--json', '--plans', plans]
    const first = billing(args, { env })
    expect(first.code).toBe(0)
    expect(readdirSync(path.join(tmp, 'cache', 'catalogs'))).toHaveLength(1)
    const second = billing(args, { env })
    expect(second.stdout).toBe(first.stdout)
    expect(billing(args, { env: { ...env, BILLING_NO_CACHE: '1' } }).stdout).toBe(first.stdout)

    const customers = path.join(plans, 'customers.yaml')
    writeFileSync(customers, readFileSync(customers, 'utf8').replace('tax_rate: "0.20"', 'tax_rate: "0.10"'))
    const changed = JSON.parse(billing(args, { env }).stdout)
    expect(JSON.parse(first.stdout).tax_rate).toBe('0.2')
    expect(changed.tax_rate).toBe('0.1')
    expect(changed.subtotal).toBe(JSON.parse(first.stdout).subtotal)
  })

  it('renders the invoice as a table', () => {
    const r = billing(['invoice', '--customer', 'acme', '--period', '2026-10'])
    expect(r.stdout).toContain('Invoice for Acme Corp (acme)')
    expect(r.stdout).toMatch(/Total\s+│\s+336\.12/)
  })

  it('invoices every customer in one run and writes one file each', () => {
    const out = path.join(tmp, 'invoices')
    const r = billing(['invoice', '--all', '--period', '2026-10', '--out', out, '--json'])
    expect(r.code).toBe(0)
    const run = JSON.parse(r.stdout)
    expect(run.invoices.map((i: { customer: string; total: string }) => [i.customer, i.total])).toEqual([
      ['acme', '336.12'],
      ['globex', '3091.24'],
      ['hooli', '0.00'],
      ['initech', '0.11'],
    ])
    expect(readdirSync(out).sort()).toEqual(['acme.json', 'globex.json', 'hooli.json', 'initech.json'])
    expect(JSON.parse(readFileSync(path.join(out, 'acme.json'), 'utf8')).total).toBe('336.12')
  })

  it('says clearly when a customer has no plan or a period is wrong', () => {
    const noPlan = billing(['invoice', '--customer', 'nobody', '--period', '2026-10'])
    expect(noPlan.code).toBe(2)
    expect(noPlan.stderr).toContain('customer "nobody" has no plan')
    const badPeriod = billing(['invoice', '--customer', 'acme', '--period', '2026-13'])
    expect(badPeriod.code).toBe(2)
    expect(badPeriod.stderr).toContain('month 13 is out of range')
  })
})

describe('billing ingest with bad input', () => {
  it('keeps the good lines, writes the bad ones with file, line and reason, and exits 1', () => {
    const data = path.join(tmp, 'bad-data')
    const file = path.join(tmp, 'mixed.ndjson')
    const rejects = path.join(tmp, 'rejects.ndjson')
    writeFileSync(
      file,
      [
        line('a1', 'c1'),
        '{"transaction_id": "a2", "customer": "c1"',
        line('a3', 'c1', { timestamp: '2026-02-30T00:00:00Z' }),
        line('a4', 'c1'),
        '',
        line('a5', 'c1', { properties: { nested: { x: 1 } } }),
        line('a6', 'c1'),
      ].join('\n'),
    )
    const r = billing(['ingest', file, '--rejects', rejects, '--json'], { data })
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toMatchObject({ lines: 7, stored: 3, rejected: 3, blank: 1 })
    const rejected = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(rejected.map((x) => [x.line, x.field])).toEqual([
      [2, null],
      [3, 'timestamp'],
      [6, 'properties.nested'],
    ])
    expect(rejected[0].file).toBe(file)
    expect(rejected[1].reason).toContain('day 30 is out of range')

    const table = billing(['ingest', file, '--rejects', rejects], { data })
    expect(table.stderr).toContain(`${file}:3: timestamp: day 30 is out of range`)
    expect(table.stderr).toContain(`3 line(s) rejected; all are in ${rejects}`)
  })

  it('reads standard input and gzip files', () => {
    const data = path.join(tmp, 'stdin-data')
    const gz = path.join(tmp, 'events.ndjson.gz')
    writeFileSync(gz, gzipSync(`${line('g1', 'c2')}\n${line('g2', 'c2')}\n`))
    const fromGz = JSON.parse(billing(['ingest', gz, '--json'], { data }).stdout)
    expect(fromGz).toMatchObject({ lines: 2, stored: 2, new_events: 2 })
    const fromStdin = JSON.parse(
      billing(['ingest', '-', '--json'], { data, input: `${line('g2', 'c2')}\n${line('g3', 'c2')}\n` })
        .stdout,
    )
    expect(fromStdin).toMatchObject({
      sources: ['<stdin>'],
      stored: 2,
      new_events: 1,
      duplicates: { in_input: 0, already_stored: 1 },
    })
  })

  it('refuses a missing file before storing anything', () => {
    const r = billing(['ingest', path.join(tmp, 'missing.ndjson')], { data: path.join(tmp, 'missing-data') })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('cannot read')
    expect(existsSync(path.join(tmp, 'missing-data', 'status'))).toBe(false)
  })
})

describe('two commands on one data folder', () => {
  it('the second waits for the first, then succeeds; with --wait 0 it says who holds the folder', async () => {
    const data = path.join(tmp, 'shared-data')
    // A process that holds the data folder until told to let go (a line on its stdin), as a long
    // ingest would.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openStore } = await import(${JSON.stringify(path.join(root, 'dist/src/store/store.js'))})
         const store = await openStore({ dataDir: ${JSON.stringify(data)}, database: 'billing', mode: 'write' })
         console.log('ready')
         process.stdin.once('data', async () => { await store.close(); process.exit(0) })`,
      ],
      { cwd: root },
    )
    const released = new Promise<number | null>((resolve) => holder.on('close', resolve))
    await new Promise<void>((resolve) => holder.stdout.on('data', () => resolve()))

    const refused = billing(['ingest', '-', '--wait', '0'], { data, input: `${line('w1', 'c0')}\n` })
    expect(refused.code).toBe(3) // the data folder is busy
    expect(refused.stderr.replace(/\s+/g, ' ')).toContain(`is in use by process ${holder.pid}`)

    // The second command waits; once it says so, the holder lets go, and the command goes on.
    const waiting = spawn(process.execPath, [bin, 'ingest', '-', '--json'], {
      cwd: root,
      env: { ...process.env, BILLING_DATA: data, CLICKHOUSE_URL: '' },
    })
    let stdout = ''
    let stderr = ''
    waiting.stdout.on('data', (d) => (stdout += d))
    const said = new Promise<void>((resolve) =>
      waiting.stderr.on('data', (d) => {
        stderr += d
        if (stderr.includes('waiting for process')) resolve()
      }),
    )
    waiting.stdin.end(`${line('w1', 'c0')}\n`)
    const exited = new Promise<number | null>((resolve) => waiting.on('close', resolve))
    await said
    expect(stderr).toContain(`waiting for process ${holder.pid}`)
    holder.stdin.write('go\n')
    expect(await released).toBe(0)
    expect(await exited).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ stored: 1, new_events: 1 })
  })
})
