// The example's invoices as customers receive them: plans/events.ndjson ingested into a fresh store,
// October 2026 invoiced with the example plans and plans/billing.yaml, issued on 2026-11-02. The HTML
// is parsed and checked row by row against the JSON invoice; the PDF's text holds every figure; both
// are compared with golden files (the HTML itself, the PDF's extracted text, not its bytes).
// UPDATE_GOLDEN=1 rewrites them; read the diff before committing it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatMoney } from '../../src/documents/format.js'
import { renderDocument } from '../../src/documents/render.js'
import { loadDocumentSettings, type DocumentSettings } from '../../src/documents/seller.js'
import { ingest } from '../../src/ingest/ingest.js'
import { invoiceCustomer } from '../../src/invoices/invoice.js'
import type { Invoice } from '../../src/invoices/types.js'
import { loadCatalog } from '../../src/plans/load.js'
import type { Catalog } from '../../src/plans/types.js'
import { invoiceJson } from '../../src/render/invoice.js'
import { openStore, type Store } from '../../src/store/store.js'
import { removeTempDirs, tempDir, uniqueDatabase } from '../support/events.js'
import { pdfPages } from '../support/pdf-text.js'
import { expectedCells, expectedFigures, readHtml } from './read-documents.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const GOLDEN = path.join(ROOT, 'test/documents/golden')
const OCTOBER = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') }
const ISSUED = new Date('2026-11-02T00:00:00Z')
const CUSTOMERS = ['acme', 'globex', 'initech', 'hooli'] as const

let store: Store
let catalog: Catalog
let settings: DocumentSettings
const invoices = new Map<string, Invoice>()
const html = new Map<string, string>()
const pdfText = new Map<string, string[][]>()

beforeAll(async () => {
  const dir = tempDir('documents-golden')
  store = await openStore({
    mode: 'write',
    dataDir: path.join(dir, 'data'),
    database: uniqueDatabase('docs'),
  })
  await ingest(store, {
    sources: [path.join(ROOT, 'plans/events.ndjson')],
    rejectsPath: path.join(dir, 'rejects.ndjson'),
    workers: 1,
  })
  catalog = await loadCatalog(path.join(ROOT, 'plans'))
  settings = (await loadDocumentSettings(path.join(ROOT, 'plans'))).settings
  for (const customer of CUSTOMERS) {
    const { invoice } = await invoiceCustomer(store, catalog, { customer, period: OCTOBER })
    const input = { invoice, plan: catalog.plans.get(invoice.plan), settings, issuedOn: ISSUED }
    invoices.set(customer, invoice)
    html.set(customer, (await renderDocument('html', input)) as string)
    pdfText.set(customer, await pdfPages((await renderDocument('pdf', input)) as Buffer))
  }
})
afterAll(async () => {
  await store?.close()
  removeTempDirs()
})

/** Compares with the golden file, or writes it under UPDATE_GOLDEN=1. */
function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name)
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true })
    writeFileSync(file, actual)
  }
  expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1`).toBe(true)
  expect(actual).toBe(readFileSync(file, 'utf8'))
}

const asRead = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ')

describe.each(CUSTOMERS)('the October 2026 invoice of %s', (customer) => {
  it('in HTML: every line, tier, total and the seller, as in the JSON invoice', () => {
    const json = invoiceJson(invoices.get(customer)!)
    const page = readHtml(html.get(customer)!)
    expect(page.rows.map(({ kind, units, amount }) => ({ kind, units, amount }))).toEqual(
      expectedCells(json, 'en-GB'),
    )
    const money = (amount: string) => formatMoney(amount, json.currency, 'en-GB')
    expect(page.totals).toMatchObject({
      subtotal: money(json.subtotal),
      tax: money(json.tax),
      total: money(json.total),
    })
    expect(page.root.querySelector('.customer .name')!.textContent).toBe(json.customer_name)
    expect(page.root.querySelector('.number')!.textContent).toBe(`WD-202610-${customer}`)
    expect(page.root.querySelector('.period-dates')!.textContent).toBe('1\u2009–\u200931 October 2026')
    expect(page.root.querySelector('.due')!.textContent).toBe('2 December 2026')
    expect(page.root.querySelector('.seller .name')!.textContent).toBe('Wisła Data sp. z o.o.')
  })

  it('in PDF: every figure of the JSON invoice in the text of its pages', () => {
    const json = invoiceJson(invoices.get(customer)!)
    const text = pdfText.get(customer)!.flat().join('\n')
    for (const figure of expectedFigures(json, 'en-GB')) expect(text).toContain(asRead(figure))
    expect(text).toContain(json.customer_name)
    expect(text).toContain('ul. Świętokrzyska 12')
  })

  it('matches its golden files (the HTML, the PDF text)', () => {
    expectGolden(`${customer}.html`, html.get(customer)!)
    const pages = pdfText.get(customer)!.map((lines, i) => `--- page ${i + 1}\n${lines.join('\n')}\n`)
    expectGolden(`${customer}.pdf.txt`, pages.join(''))
  })
})

describe('the example invoice of acme, by hand', () => {
  it('says what plans/pro.yaml and the events make of it', () => {
    const page = readHtml(html.get('acme')!)
    const tokens = page.rows.filter((r) => r.description === 'tokens')
    expect(tokens.map((r) => [r.details, r.units, r.amount])).toEqual([
      [['region: eu-west-1', 'volume pricing'], '134,305', 'US$16.72'],
      [['region: us-east-1', 'volume pricing'], '127,685', 'US$16.38'],
    ])
    expect(page.rows.find((r) => r.description === 'seats')).toMatchObject({
      units: '7',
      price: 'US$12.00',
      amount: 'US$84.00',
    })
    expect(page.totals).toEqual({
      subtotal: 'US$280.10',
      taxLabel: 'Tax (20%)',
      tax: 'US$56.02',
      total: 'US$336.12',
    })
  })
})
