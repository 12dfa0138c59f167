// `billing invoice --format html|pdf`, the built CLI run as a user would: flags refused with exit
// code 2 before any store is opened, a bad billing.yaml reported as file:line:col, the documents of
// one customer and of every customer written where asked, with the file names of `--out`.
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  appendFileSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invoiceFileName } from '../../src/render/invoice.js'
import { pdfPages } from '../support/pdf-text.js'

const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')
const LONG_ID = `customer-${'x'.repeat(300)}`
const UNICODE_NAME = 'Zoë Łukasiewicz — Кирилл Ωmega'
let tmp: string
let plans: string

function billing(args: string[], options: { plans?: string } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: tmp,
    env: {
      ...process.env,
      BILLING_DATA: path.join(tmp, 'data'),
      BILLING_PLANS: options.plans ?? plans,
      CLICKHOUSE_URL: '',
    },
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') }
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'billing-documents-cli-'))
  // The example folder, with two more customers: one whose id differs from acme only by case and
  // whose name is beyond Latin-1, one with a 300-character id.
  plans = path.join(tmp, 'plans')
  cpSync(path.join(root, 'plans'), plans, { recursive: true })
  appendFileSync(
    path.join(plans, 'customers.yaml'),
    `Acme: { plan: starter, name: "${UNICODE_NAME}" }\n${LONG_ID}: { plan: starter, name: Long Id Ltd }\n`,
  )
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('billing invoice refuses, with exit code 2', () => {
  it('--all --format pdf without --out, and an --issued-on that is no date', () => {
    const all = billing(['invoice', '--all', '--period', '2026-10', '--format', 'pdf'])
    expect(all.code).toBe(2)
    expect(all.stderr).toContain('--all --format pdf writes one file per customer: pass --out DIR')
    const r = billing(['invoice', '--customer', 'acme', '--format', 'html', '--issued-on', '2026-13-01'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--issued-on expects a date like 2026-11-01')
  })

  it('a billing.yaml with problems, each as file:line:col (plans validate lists them too)', () => {
    const bad = path.join(tmp, 'bad-plans')
    cpSync(path.join(root, 'plans'), bad, { recursive: true })
    writeFileSync(path.join(bad, 'billing.yaml'), 'seller:\n  name: S\n  locale: 42\npage_size: A3\n')
    const r = billing(['invoice', '--customer', 'acme', '--format', 'html'], { plans: bad })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('billing.yaml:3:11  seller.locale  expected a BCP 47 locale')
    expect(r.stderr).toContain('billing.yaml:4:12  page_size  expected one of a4, letter, got "A3"')
    expect(r.stderr).toContain('2 problem(s) in')
    const validate = billing(['plans', 'validate', bad])
    expect(validate.code).toBe(1)
    expect(validate.stdout.toString()).toContain(
      'billing.yaml:4:12  page_size  expected one of a4, letter, got "A3"',
    )
  })

  it('a PDF for a terminal', (context) => {
    // `script` gives the command a terminal for its stdout (util-linux, on every Debian).
    if (spawnSync('script', ['--version']).status !== 0) return context.skip('no `script` command here')
    const command = [process.execPath, bin, 'invoice', '--customer', 'acme', '--format', 'pdf']
    const r = spawnSync('script', ['-qec', command.map((a) => `'${a}'`).join(' '), '/dev/null'], {
      cwd: tmp,
      env: { ...process.env, BILLING_DATA: path.join(tmp, 'data'), BILLING_PLANS: plans, CLICKHOUSE_URL: '' },
      encoding: 'utf8',
    })
    expect(r.stdout).toContain('a PDF is not for the terminal')
    expect(r.status).toBe(2)
  })
})

describe('billing invoice --format html|pdf on the example events', () => {
  beforeAll(() => {
    const r = billing(['ingest', path.join(root, 'plans/events.ndjson'), '--json'])
    expect(r.code).toBe(0)
  })

  const issued = ['--period', '2026-10', '--issued-on', '2026-11-02']

  it('writes the HTML invoice of one customer into --out FILE, as the golden file has it', () => {
    const file = path.join(tmp, 'acme.html')
    const r = billing(['invoice', '--customer', 'acme', ...issued, '--format', 'html', '--out', file])
    expect([r.code, r.stdout.length]).toEqual([0, 0])
    expect(readFileSync(file, 'utf8')).toBe(
      readFileSync(path.join(root, 'test/documents/golden/acme.html'), 'utf8'),
    )
  })

  it('pipes the PDF to stdout when it is not a terminal', async () => {
    const r = billing(['invoice', '--customer', 'acme', ...issued, '--format', 'pdf'])
    expect(r.code).toBe(0)
    expect(r.stdout.subarray(0, 5).toString()).toBe('%PDF-')
    const pages = await pdfPages(r.stdout)
    const golden = readFileSync(path.join(root, 'test/documents/golden/acme.pdf.txt'), 'utf8')
    expect(pages.map((lines, i) => `--- page ${i + 1}\n${lines.join('\n')}\n`).join('')).toBe(golden)
  })

  it('--all --format pdf --out DIR: one PDF per customer, named as the JSON files are', async () => {
    const out = path.join(tmp, 'pdf')
    const r = billing(['invoice', '--all', ...issued, '--format', 'pdf', '--out', out])
    expect(r.code).toBe(0)
    expect(r.stdout.toString()).toContain(`written to ${out}`)
    const customers = ['Acme', 'acme', LONG_ID, 'globex', 'hooli', 'initech']
    expect(readdirSync(out).sort()).toEqual(customers.map((c) => invoiceFileName(c, 'pdf')).sort())
    expect(invoiceFileName('Acme', 'pdf')).toMatch(/^acme~[0-9a-f]{20}\.pdf$/)
    const text = async (id: string) =>
      (await pdfPages(readFileSync(path.join(out, invoiceFileName(id, 'pdf'))))).flat()
    expect(await text('Acme')).toContain(UNICODE_NAME)
    expect(await text(LONG_ID)).toContain('Long Id Ltd')
    expect((await text('globex')).join('\n')).toContain('Total due  €3,091.24')
  })
})
