// billing.yaml: who sends the invoices and how they look. Optional: without it, documents have no
// seller block and use en-US. Read like the plan files: every problem with its file:line:col.
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { issueProblems } from '../plans/issues.js'
import type { PlanProblem } from '../plans/problems.js'
import { expectedGot, leaf, mapping, oneOf, Rejection, text } from '../plans/schema-leaves.js'
import { readYamlFile } from '../plans/yaml-file.js'
import { DEFAULT_INVOICE_PREFIX } from './invoice-number.js'

export const DEFAULT_LOCALE = 'en-US'
export const PAGE_SIZES = ['a4', 'letter'] as const
export type PageSize = (typeof PAGE_SIZES)[number]
/** A logo is inlined into every HTML invoice: a small picture, not a photograph. */
export const MAX_LOGO_BYTES = 512 * 1024
export const MAX_PAYMENT_TERMS_DAYS = 365

export interface Logo {
  /** As written in billing.yaml, relative to the plans folder. */
  file: string
  mime: 'image/png' | 'image/jpeg'
  bytes: Buffer
}

export interface Seller {
  name: string
  /** The address, one line of text each. */
  address: string[]
  taxId?: string
  email?: string
  logo?: Logo
}

export interface DocumentSettings {
  seller?: Seller
  /** BCP 47, canonical form: how amounts, units and dates are written. */
  locale: string
  invoicePrefix: string
  /** Days from the issue date to the due date, when the seller gives payment terms. */
  paymentTermsDays?: number
  /** Free text printed at the end of the invoice (bank details, a thank-you), one line each. */
  notes: string[]
  pageSize: PageSize
}

export const DEFAULT_SETTINGS: DocumentSettings = {
  locale: DEFAULT_LOCALE,
  invoicePrefix: DEFAULT_INVOICE_PREFIX,
  notes: [],
  pageSize: 'a4',
}

export interface SettingsLoad {
  settings: DocumentSettings
  /** The file read, if the folder has one. */
  file?: string
  problems: PlanProblem[]
}

// ---- The shape of the file ------------------------------------------------------------------------

/** A block of text, or a list of lines: `address: |` or `address: [Storgata 12, 0155 Oslo]`. */
const lines = leaf((input) => {
  const list = typeof input === 'string' ? input.split(/\r?\n/) : input
  if (!Array.isArray(list) || !list.every((l) => typeof l === 'string'))
    return new Rejection(expectedGot('text (a `|` block for several lines) or a list of lines', input))
  return list.map((l: string) => l.trim()).filter((l) => l !== '')
})

const locale = leaf((input) => {
  const expected = expectedGot('a BCP 47 locale like "en-US" or "fr-FR"', input)
  if (typeof input !== 'string') return new Rejection(expected)
  let canonical: string | undefined
  try {
    canonical = Intl.getCanonicalLocales(input)[0]
  } catch {
    return new Rejection(expected)
  }
  if (canonical === undefined || Intl.NumberFormat.supportedLocalesOf([canonical]).length === 0)
    return new Rejection(`${expected}; this Node has no formats for it`)
  return canonical
})

const paymentTermsDays = leaf((input) =>
  typeof input === 'bigint' && input >= 0n && input <= BigInt(MAX_PAYMENT_TERMS_DAYS)
    ? Number(input)
    : new Rejection(
        expectedGot(`a whole number of days from 0 to ${MAX_PAYMENT_TERMS_DAYS}, like 30`, input),
      ),
)

const seller = mapping('the seller (a mapping with name:)', {
  name: text('the name on the invoices'),
  address: lines.optional(),
  tax_id: text('a tax id like "FR 12 345678901"').optional(),
  email: text('an email address like "billing@example.com"', /^[^\s@]+@[^\s@]+$/).optional(),
  logo: text('the path of a PNG or JPEG file, relative to the plans folder').optional(),
  locale: locale.optional(),
  invoice_prefix: text(
    'a prefix of letters, digits, - and _ like "INV"',
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$/,
  ).optional(),
  payment_terms_days: paymentTermsDays.optional(),
  notes: lines.optional(),
})

const billingFile = mapping('billing settings (a mapping with seller:)', {
  seller: seller.optional(),
  page_size: oneOf(PAGE_SIZES).optional(),
})

type BillingFile = z.output<typeof billingFile>

// ---- Reading it -----------------------------------------------------------------------------------

/** The folder's billing.yaml (or .yml), read and checked; defaults when there is none. */
export async function loadDocumentSettings(plansDir: string): Promise<SettingsLoad> {
  const file = await billingFileIn(plansDir)
  if (!file) return { settings: DEFAULT_SETTINGS, problems: [] }
  const { yaml, problems } = await readYamlFile(file, { emptyIsMapping: true })
  if (!yaml) return { settings: DEFAULT_SETTINGS, file, problems }
  const parsed = billingFile.safeParse(yaml.value)
  // The logo is checked even when other keys are wrong, so that every problem shows at once.
  const written = (yaml.value as { seller?: { logo?: unknown } }).seller?.logo
  const logo = typeof written === 'string' ? await readLogo(plansDir, written) : undefined
  const found = parsed.success ? [] : issueProblems(yaml, parsed.error.issues)
  if (typeof logo === 'string') found.push(yaml.problem(['seller', 'logo'], logo))
  if (!parsed.success || typeof logo === 'string')
    return {
      settings: DEFAULT_SETTINGS,
      file,
      problems: found.sort((a, b) => a.line - b.line || a.col - b.col),
    }
  return { settings: settingsOf(parsed.data, logo), file, problems: [] }
}

async function billingFileIn(dir: string): Promise<string | undefined> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    // The plans loader reports a folder it cannot read.
    return undefined
  }
  const name = ['billing.yaml', 'billing.yml'].find((n) => names.includes(n))
  return name === undefined ? undefined : path.join(dir, name)
}

function settingsOf(data: BillingFile, logo: Logo | undefined): DocumentSettings {
  const s = data.seller
  return {
    ...(s && {
      seller: {
        name: s.name,
        address: s.address ?? [],
        ...(s.tax_id !== undefined && { taxId: s.tax_id }),
        ...(s.email !== undefined && { email: s.email }),
        ...(logo && { logo }),
      },
    }),
    locale: s?.locale ?? DEFAULT_LOCALE,
    invoicePrefix: s?.invoice_prefix ?? DEFAULT_INVOICE_PREFIX,
    ...(s?.payment_terms_days !== undefined && { paymentTermsDays: s.payment_terms_days }),
    notes: s?.notes ?? [],
    pageSize: data.page_size ?? 'a4',
  }
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const JPEG = Buffer.from([0xff, 0xd8, 0xff])

/** The logo's bytes and type, or why it cannot be used. It stays inside the plans folder. */
export async function readLogo(plansDir: string, file: string): Promise<Logo | string> {
  if (path.isAbsolute(file) || file.split(/[\\/]/).includes('..'))
    return `expected a path inside the plans folder, got ${JSON.stringify(file)}`
  const full = path.join(plansDir, file)
  let bytes: Buffer
  try {
    const { size } = await stat(full)
    if (size > MAX_LOGO_BYTES)
      return `the logo has ${size} bytes; a logo is limited to ${MAX_LOGO_BYTES} bytes`
    bytes = await readFile(full)
  } catch (error) {
    return `could not read the logo ${full}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`
  }
  if (bytes.subarray(0, PNG.length).equals(PNG)) return { file, mime: 'image/png', bytes }
  if (bytes.subarray(0, JPEG.length).equals(JPEG)) return { file, mime: 'image/jpeg', bytes }
  return `expected a PNG or JPEG file, and ${full} is neither`
}
