// Invoice documents of invoices built in memory (no store): every line, tier, subtotal and total of
// the JSON invoice is in the HTML (parsed) and in the PDF's text (extracted with pdf.js); names are
// escaped; long invoices break across pages with the table header repeated; output is reproducible.
import { copyFileSync } from 'node:fs'
import path from 'node:path'
import { inflateSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { invoiceDocument } from '../../src/documents/document.js'
import { missingGlyphs, textsOf } from '../../src/documents/glyphs.js'
import { renderDocument } from '../../src/documents/render.js'
import { formatMoney } from '../../src/documents/format.js'
import { invoiceHtml } from '../../src/documents/html.js'
import { invoicePdf } from '../../src/documents/pdf.js'
import { DEFAULT_SETTINGS, loadDocumentSettings, type DocumentSettings } from '../../src/documents/seller.js'
import { buildInvoice } from '../../src/invoices/build.js'
import { intervalsOf } from '../../src/invoices/intervals.js'
import type { ChargeUsage, Invoice, UnbilledEvents } from '../../src/invoices/types.js'
import { Decimal } from '../../src/money/decimal.js'
import { loadCatalog } from '../../src/plans/load.js'
import type { Catalog } from '../../src/plans/types.js'
import { invoiceJson } from '../../src/render/invoice.js'
import { pdfItems, pdfPages } from '../support/pdf-text.js'
import { plansFolder, yaml } from '../plans/folder.js'
import { expectedCells, expectedFigures, readHtml } from './read-documents.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const ISSUED = new Date('2026-11-02T00:00:00Z')

let catalog: Catalog
let seller: DocumentSettings

beforeAll(async () => {
  const dir = plansFolder({
    'metrics.yaml': 'calls: { aggregation: count }\ngb: { aggregation: max, property: gb }\n',
    'big.yaml': yaml`
      code: big
      name: Big
      currency: EUR
      interval: monthly
      fixed_fee: "1000"
      minimum_commitment: "99999999999999.99"
      charges:
        - { metric: calls, model: standard, unit_price: "1234567890123.45" }
        - metric: calls
          model: graduated
          group_by: [region]
          tiers: [{ up_to: 1000, unit_price: "0" }, { up_to: 10000, unit_price: "0.01", flat_fee: "5" }, { unit_price: "0.005" }]
        - { metric: gb, model: package, package_size: 100, package_price: "5", free_units: 100, min_amount: "50" }
    `,
    'billing.yaml': yaml`
      seller:
        name: Wisła Data sp. z o.o.
        address: [ul. Świętokrzyska 12, 31-042 Kraków]
        logo: logo.png
        locale: fr-FR
        payment_terms_days: 14
        notes: "IBAN PL00 0000"
    `,
  })
  copyFileSync(path.join(ROOT, 'plans/logo.png'), path.join(dir, 'logo.png'))
  catalog = await loadCatalog(dir)
  const loaded = await loadDocumentSettings(dir)
  expect(loaded.problems).toEqual([])
  seller = loaded.settings
})

/** An invoice of plan `big` from September 16 to December 1: a prorated interval, then two whole. */
function bigInvoice(
  customer: { id: string; name?: string },
  regions = 2,
  unbilled: UnbilledEvents[] = [],
): Invoice {
  const plan = catalog.plans.get('big')!
  const period = { from: new Date('2026-09-16T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') }
  const intervals = intervalsOf(period, plan.interval).map((interval, k) => {
    const usage: ChargeUsage[] = [
      { charge: 0, group: {}, units: new Decimal(10 + k), events: 10 + k },
      { charge: 2, group: {}, units: new Decimal('150.5'), events: 3 },
    ]
    for (let r = 0; r < regions; r++)
      usage.push({ charge: 1, group: { region: `r-${r}` }, units: new Decimal(15000 + r), events: 15000 + r })
    return { interval, usage }
  })
  return buildInvoice({
    customer: { ...customer, taxRate: new Decimal('0.2') },
    plan,
    period,
    intervals,
    unbilled,
  })
}

/** pdf.js reads no-break spaces (U+00A0, U+202F) back as plain spaces. */
const asRead = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ')

/** The ToUnicode CMaps of the PDF's fonts, decompressed. */
function toUnicodeMaps(pdf: Buffer): string[] {
  const text = pdf.toString('latin1')
  const maps: string[] = []
  for (const m of text.matchAll(/stream\n([\s\S]*?)\nendstream/g)) {
    try {
      const body = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1')
      if (body.includes('begincmap')) maps.push(body)
    } catch {
      // Not a deflated stream.
    }
  }
  return maps
}

function render(invoice: Invoice, settings: DocumentSettings = seller) {
  return invoiceDocument({ invoice, plan: catalog.plans.get(invoice.plan), settings, issuedOn: ISSUED })
}

describe('the HTML invoice', () => {
  it('shows every line and tier of the JSON invoice, in order, with its units and amount', () => {
    const invoice = bigInvoice({ id: 'big-co', name: 'Big Co' })
    const json = invoiceJson(invoice)
    const html = readHtml(invoiceHtml(render(invoice)))
    expect(html.rows.map(({ kind, units, amount }) => ({ kind, units, amount }))).toEqual(
      expectedCells(json, 'fr-FR'),
    )
    expect(html.rows.length).toBeGreaterThan(20)
    const types = json.intervals.flatMap((i) => i.lines.map((l) => l.type))
    expect(new Set(types)).toEqual(new Set(['fixed_fee', 'usage', 'charge_minimum', 'minimum_commitment']))
  })

  it('titles each interval, prorated ones with their days, and gives each its subtotal', () => {
    const invoice = bigInvoice({ id: 'big-co' })
    const json = invoiceJson(invoice)
    const html = readHtml(invoiceHtml(render(invoice)))
    expect(html.sections).toEqual([
      {
        title: '16–30 septembre 2026 (prorated 15/30 days)',
        subtotal: formatMoney(json.intervals[0]!.subtotal, 'EUR', 'fr-FR'),
      },
      { title: '1–31 octobre 2026', subtotal: formatMoney(json.intervals[1]!.subtotal, 'EUR', 'fr-FR') },
      { title: '1–30 novembre 2026', subtotal: formatMoney(json.intervals[2]!.subtotal, 'EUR', 'fr-FR') },
    ])
    const first = html.rows.filter((r) => r.kind === 'line').slice(0, 1)[0]!
    expect(first).toMatchObject({ description: 'Big plan, fixed fee', details: ['prorated 15/30 days'] })
    expect(first.amount).toBe(formatMoney('500.00', 'EUR', 'fr-FR'))
  })

  it('shows totals, the tax rate, the tiers, the price terms and the true-ups', () => {
    const invoice = bigInvoice({ id: 'big-co' })
    const json = invoiceJson(invoice)
    const html = readHtml(invoiceHtml(render(invoice)))
    const eur = (amount: string) => formatMoney(amount, 'EUR', 'fr-FR')
    expect(html.totals).toEqual({
      subtotal: eur(json.subtotal),
      taxLabel: 'Tax (20\u00a0%)',
      tax: eur(json.tax),
      total: eur(json.total),
    })
    // Exact far beyond a double: a minimum commitment of 99,999,999,999,999.99 an interval.
    expect(json.total).toMatch(/^\d{15,}\.\d\d$/)
    expect(html.totals.total.replace(/\D/g, '')).toBe(json.total.replace(/\D/g, ''))
    const tiers = html.rows.filter((r) => r.kind === 'tier').slice(0, 3)
    expect(tiers.map((t) => [t.description, t.details, t.price])).toEqual([
      ['Tier 1', ['up to 1\u202f000'], eur('0')],
      ['Tier 2', ['over 1\u202f000 up to 10\u202f000'], `${eur('0.01')} + ${eur('5.00')} flat`],
      ['Tier 3', ['over 10\u202f000'], eur('0.005')],
    ])
    const descriptions = html.rows.map((r) => r.description)
    expect(descriptions).toContain('Minimum for gb, true-up')
    expect(descriptions).toContain('Minimum commitment, true-up')
    const standard = html.rows.find((r) => r.description === 'calls' && r.details.length === 0)!
    expect(standard.price).toBe(eur('1234567890123.45'))
    const pkg = html.rows.find((r) => r.description === 'gb')!
    expect(pkg.price).toBe(`${eur('5.00')} per 100 units, first 100 free`)
  })

  it('escapes every text: a customer named <script> is printed, not run', () => {
    const name = `<script>alert("x")</script> & Sons 'Ltd' "Q"`
    const id = '<img src=x onerror=alert(1)>'
    const invoice = bigInvoice({ id, name }, 1, [
      { code: '</li><script>x()</script>', reason: 'no_charge', events: 2 },
    ])
    const page = invoiceHtml(render(invoice))
    const { root, notBilled } = readHtml(page)
    expect(root.querySelectorAll('script')).toHaveLength(0)
    expect(root.querySelectorAll('img').map((i) => i.getAttribute('alt'))).toEqual(['Wisła Data sp. z o.o.'])
    expect(root.querySelector('.customer .name')!.textContent).toBe(name)
    expect(root.querySelector('.customer-id')!.textContent).toBe(id)
    expect(notBilled).toEqual([
      '2 events with code "</li><script>x()</script>": no charge of the plan reads this code',
    ])
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons &#39;Ltd&#39;')
  })

  it('is self-contained: inline CSS, the logo as a data: URI, nothing fetched', () => {
    const { root } = readHtml(invoiceHtml(render(bigInvoice({ id: 'c' }))))
    expect(root.querySelector('img')!.getAttribute('src')).toMatch(/^data:image\/png;base64,iVBORw0KGgo/)
    expect(root.querySelectorAll('link, script, iframe')).toHaveLength(0)
    const urls = root.toString().match(/(?:src|href)="(?!data:)[^"]*"|url\(|@import/g)
    expect(urls).toBeNull()
  })

  it('renders without billing.yaml: no seller, en-US, the customer id as its name', () => {
    const invoice = bigInvoice({ id: 'plain' }, 1)
    const { root, totals } = readHtml(invoiceHtml(render(invoice, DEFAULT_SETTINGS)))
    expect(root.querySelector('.seller')!.textContent.trim()).toBe('')
    expect(root.querySelector('.customer .name')!.textContent).toBe('plain')
    expect(root.querySelector('.number')!.textContent).toBe('INV-20260916-plain')
    expect(root.querySelector('.due')).toBeNull()
    expect(totals.total).toBe(formatMoney(invoiceJson(invoice).total, 'EUR', 'en-US'))
    expect(totals.total).toMatch(/^€[\d,]+\.\d\d$/)
  })
})

describe('the PDF invoice', () => {
  it('holds every figure of the JSON invoice as the document writes it, and the names in any script DejaVu has', async () => {
    const name = 'Ωmega Łódź Кирилл & Sons'
    const invoice = bigInvoice({ id: 'omega', name })
    const pdf = await invoicePdf(render(invoice))
    const items = await pdfItems(pdf)
    for (const figure of expectedFigures(invoiceJson(invoice), 'fr-FR'))
      expect(items).toContain(asRead(figure))
    expect(items).toContain(name)
    expect(items).toContain('Wisła Data sp. z o.o.')
    expect(items).toContain('ul. Świętokrzyska 12')
    expect(items).toContain('Tax (20 %)')
    // The no-break spaces are in the PDF: its font maps glyphs back to U+00A0 and U+202F.
    expect(toUnicodeMaps(pdf).join('')).toMatch(/<00a0>[\s\S]*<202f>|<202f>[\s\S]*<00a0>/)
  })

  it('breaks a long invoice across pages, repeating the table header on each, each row whole on one page', async () => {
    const invoice = bigInvoice({ id: 'many' }, 12)
    const pages = await pdfPages(await invoicePdf(render(invoice)))
    expect(pages.length).toBeGreaterThan(2)
    const tablePages = pages.filter((page) => page.some((line) => /^Tier \d/.test(line)))
    expect(tablePages.length).toBeGreaterThan(2)
    for (const page of tablePages) expect(page).toContain('DESCRIPTION  QUANTITY  UNIT PRICE  AMOUNT')
    // A row's cells share its baseline: a tier's description, units, price and amount on one line.
    const tierLines = pages.flat().filter((line) => /^Tier \d/.test(line))
    expect(tierLines.length).toBe(3 * 12 * 3)
    for (const line of tierLines) expect(line).toMatch(/^Tier \d · .+  [\d ]+  .+  [\d ]+,\d+ €$/)
    pages.forEach((page, i) => expect(page.at(-1)).toMatch(new RegExp(`page ${i + 1} of ${pages.length}$`)))
    const cells = pages.flat().join('\n')
    for (const figure of expectedFigures(invoiceJson(invoice), 'fr-FR'))
      expect(cells).toContain(asRead(figure))
  })

  it('is the same bytes every time, dated by the issue date; A4 unless billing.yaml says letter', async () => {
    const document = render(bigInvoice({ id: 'same' }))
    const [a, b] = await Promise.all([invoicePdf(document), invoicePdf(document)])
    expect(a.equals(b)).toBe(true)
    expect(a.toString('latin1')).toMatch(/\/CreationDate \d+ 0 R/)
    expect(a.toString('latin1')).toContain('(D:20261102000000Z)')
    expect(a.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/)
    const letter = await invoicePdf({ ...document, pageSize: 'letter' })
    expect(letter.toString('latin1')).toMatch(/\/MediaBox \[0 0 612 792\]/)
  })

  it('has a glyph for every character of these invoices, and says which ones it lacks (CJK)', async () => {
    const document = render(bigInvoice({ id: 'omega', name: 'Ωmega Łódź Кирилл & Sons' }))
    expect(missingGlyphs(textsOf(document))).toEqual([])
    expect(missingGlyphs(['1\u2009–\u200931 October 2026', '1\u202f234,56\u00a0€', '¥ ₹ ₽ ₺ ₴ ₩'])).toEqual(
      [],
    )
    expect(missingGlyphs(['Zoë 名前 Кирилл\n'])).toEqual(['名', '前'])
    const warnings: string[] = []
    const invoice = bigInvoice({ id: 'c', name: '株式会社 Ωmega' })
    const input = { invoice, plan: catalog.plans.get('big'), settings: seller, issuedOn: ISSUED }
    await renderDocument('pdf', input, (w) => warnings.push(w))
    expect(warnings).toEqual([
      'the PDF font (DejaVu Sans) has no glyph for "株", "式", "会", "社" in invoice INV-20260916-c: they print as empty boxes',
    ])
  })
})
