// Which invoice formats exist and where each may be written: the rules of the invoice command's
// flags, as plain functions.
import { writeFileSync } from 'node:fs'

export const INVOICE_FORMATS = ['table', 'json', 'html', 'pdf'] as const
export type InvoiceFormat = (typeof INVOICE_FORMATS)[number]
export type DocumentFormat = 'html' | 'pdf'

/** A flag combination or a value that cannot make a document. */
export class DocumentError extends Error {}

export function isDocumentFormat(format: InvoiceFormat): format is DocumentFormat {
  return format === 'html' || format === 'pdf'
}

/** `--format`, with `--json` as its older spelling of `--format json`. */
export function chosenFormat(format: InvoiceFormat | undefined, json: boolean): InvoiceFormat {
  if (json && format !== undefined && format !== 'json')
    throw new DocumentError(`--json prints JSON; it cannot go with --format ${format}`)
  return json ? 'json' : (format ?? 'table')
}

export interface OutputRequest {
  format: InvoiceFormat
  all: boolean
  out?: string
  stdoutIsTTY: boolean
}

/** Refuses what would go wrong: documents of every customer on stdout, PDF bytes on a terminal. */
export function checkOutput({ format, all, out, stdoutIsTTY }: OutputRequest): void {
  if (!isDocumentFormat(format) || out !== undefined) return
  if (all) throw new DocumentError(`--all --format ${format} writes one file per customer: pass --out DIR`)
  if (format === 'pdf' && stdoutIsTTY)
    throw new DocumentError('a PDF is not for the terminal: pass --out FILE, or pipe it (> invoice.pdf)')
}

/** The issue date: `--issued-on YYYY-MM-DD`, or today (UTC). Midnight UTC either way. */
export function issueDate(text: string | undefined, now: Date = new Date()): Date {
  if (text === undefined) return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : undefined
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text)
    throw new DocumentError(`--issued-on expects a date like 2026-11-01, got ${JSON.stringify(text)}`)
  return date
}

/** Writes one invoice into `--out FILE`; a file that cannot be written is a usage error (exit 2). */
export function writeInvoiceFile(file: string, bytes: string | Uint8Array): void {
  try {
    writeFileSync(file, bytes)
  } catch (error) {
    throw new DocumentError(`cannot write ${file}: ${(error as Error).message}`, { cause: error })
  }
}
