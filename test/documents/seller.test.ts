// billing.yaml: read like the plans, every problem with file:line:col, a path and what was expected;
// without it, documents still render (no seller, en-US); it is never read as a plan.
import { copyFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS, loadDocumentSettings } from '../../src/documents/seller.js'
import { loadPlans } from '../../src/plans/load.js'
import { formatProblem } from '../../src/plans/problems.js'
import { plansFolder, yaml } from '../plans/folder.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const LOGO = path.join(ROOT, 'plans/logo.png')

function withLogo(files: Record<string, string>): string {
  const dir = plansFolder(files)
  copyFileSync(LOGO, path.join(dir, 'logo.png'))
  return dir
}

async function problemsOf(text: string): Promise<string[]> {
  const dir = withLogo({ 'billing.yaml': text })
  const { problems } = await loadDocumentSettings(dir)
  return problems.map((p) => formatProblem(p, dir))
}

describe('billing.yaml', () => {
  it('gives the seller, its locale, prefix, terms, notes and page size', async () => {
    const dir = withLogo({
      'billing.yaml': yaml`
        seller:
          name: Wisła Data sp. z o.o.
          address: |
            ul. Świętokrzyska 12
            31-042 Kraków
          tax_id: PL 6760000000
          email: billing@wisla-data.example
          logo: logo.png
          locale: fr-fr
          invoice_prefix: WD
          payment_terms_days: 30
          notes: [Bank transfer, Thank you]
        page_size: letter
      `,
    })
    const { settings, problems } = await loadDocumentSettings(dir)
    expect(problems).toEqual([])
    const { logo, ...seller } = settings.seller!
    expect(seller).toEqual({
      name: 'Wisła Data sp. z o.o.',
      address: ['ul. Świętokrzyska 12', '31-042 Kraków'],
      taxId: 'PL 6760000000',
      email: 'billing@wisla-data.example',
    })
    expect([logo?.file, logo?.mime, logo?.bytes.length]).toEqual(['logo.png', 'image/png', 1738])
    expect(settings).toMatchObject({
      locale: 'fr-FR',
      invoicePrefix: 'WD',
      paymentTermsDays: 30,
      notes: ['Bank transfer', 'Thank you'],
      pageSize: 'letter',
    })
  })

  it('is optional: no seller, en-US, A4, prefix INV', async () => {
    const { settings, problems } = await loadDocumentSettings(plansFolder({}))
    expect(problems).toEqual([])
    expect(settings).toEqual(DEFAULT_SETTINGS)
    expect(settings).toMatchObject({ locale: 'en-US', pageSize: 'a4', invoicePrefix: 'INV' })
  })

  it('reports every problem with file:line:col, its path and what was expected', async () => {
    const text = yaml`
      seller:
        name: Wisła Data
        emal: billing@wisla-data.example
        locale: not a locale
        payment_terms_days: "30"
        invoice_prefix: W D
        logo: missing.png
      page_size: A5
    `
    expect(await problemsOf(text)).toEqual([
      'billing.yaml:3:3  seller.emal  unknown key "emal": did you mean "email"?',
      'billing.yaml:4:11  seller.locale  expected a BCP 47 locale like "en-US" or "fr-FR", got "not a locale"',
      'billing.yaml:5:23  seller.payment_terms_days  expected a whole number of days from 0 to 365, like 30, got "30"',
      'billing.yaml:6:19  seller.invoice_prefix  expected a prefix of letters, digits, - and _ like "INV", got "W D"',
      expect.stringMatching(
        /^billing\.yaml:7:9  seller\.logo  could not read the logo .*missing\.png: ENOENT$/,
      ),
      'billing.yaml:8:12  page_size  expected one of a4, letter, got "A5"',
    ])
  })

  it('needs a seller name, and refuses YAML that is not a mapping', async () => {
    expect(await problemsOf('seller:\n  email: a@b.example\n')).toEqual([
      'billing.yaml:2:3  seller.name  missing: expected the name on the invoices',
    ])
    expect(await problemsOf('- a list\n')).toEqual([
      'billing.yaml:1:1  expected a mapping at the top level (`key: value` lines), got a list',
    ])
  })

  it('takes a logo only from inside the plans folder, and only a PNG or a JPEG', async () => {
    const dir = withLogo({ 'billing.yaml': 'seller: { name: S, logo: notes.txt }\n', 'notes.txt': 'hello' })
    const { problems } = await loadDocumentSettings(dir)
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/expected a PNG or JPEG file/)])
    for (const logo of ['../logo.png', '/etc/passwd'])
      expect(await problemsOf(`seller: { name: S, logo: "${logo}" }\n`)).toEqual([
        `billing.yaml:1:26  seller.logo  expected a path inside the plans folder, got "${logo}"`,
      ])
    const jpeg = plansFolder({ 'billing.yaml': 'seller: { name: S, logo: l.jpg }\n' })
    writeFileSync(path.join(jpeg, 'l.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]))
    expect((await loadDocumentSettings(jpeg)).settings.seller?.logo?.mime).toBe('image/jpeg')
  })

  it('is not a plan: the plans loader leaves it alone', async () => {
    const dir = withLogo({
      'billing.yaml': 'seller: { name: S }\n',
      'p.yaml': 'code: p\nname: P\ncurrency: USD\ninterval: monthly\ncharges: []\n',
    })
    const { catalog, problems } = await loadPlans(dir)
    expect(problems).toEqual([])
    expect([...catalog.plans.keys()]).toEqual(['p'])
  })

  it('of the example folder is valid', async () => {
    const { settings, problems } = await loadDocumentSettings(path.join(ROOT, 'plans'))
    expect(problems).toEqual([])
    expect(settings.seller?.name).toBe('Wisła Data sp. z o.o.')
  })
})
