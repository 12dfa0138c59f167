// The one call that renders an invoice document. The HTML and PDF writers (eta, pdfkit, fonts) are
// loaded when a document is first asked for, so that the table and JSON formats never pay for them.
import type { Invoice } from '../invoices/types.js'
import type { Catalog } from '../plans/types.js'
import { invoiceJson, invoiceTable } from '../render/invoice.js'
import { invoiceDocument, type DocumentInput } from './document.js'
import { isDocumentFormat, type DocumentFormat, type InvoiceFormat } from './output.js'
import type { DocumentSettings } from './seller.js'

/**
 * The invoice as a customer receives it: an HTML page (text) or a PDF file (bytes). `warn` hears of
 * characters the PDF's font cannot draw (they print as empty boxes).
 */
export async function renderDocument(
  format: DocumentFormat,
  input: DocumentInput,
  warn: (message: string) => void = () => {},
): Promise<string | Buffer> {
  const document = invoiceDocument(input)
  if (format === 'html') return (await import('./html.js')).invoiceHtml(document)
  const { missingGlyphs, textsOf } = await import('./glyphs.js')
  const missing = missingGlyphs(textsOf(document))
  if (missing.length > 0) {
    const chars = missing.map((c) => JSON.stringify(c)).join(', ')
    warn(
      `the PDF font (DejaVu Sans) has no glyph for ${chars} in invoice ${document.number}: they print as empty boxes`,
    )
  }
  return (await import('./pdf.js')).invoicePdf(document)
}

export interface RendererOptions {
  format: InvoiceFormat
  catalog: Catalog
  /** billing.yaml, needed by the html and pdf formats. */
  settings?: DocumentSettings
  issuedOn: Date
  warn?: (message: string) => void
}

/** An invoice in the chosen format, whole: a table or JSON line for stdout, or a document. */
export function invoiceRenderer(options: RendererOptions): (invoice: Invoice) => Promise<string | Buffer> {
  const { format, catalog, settings, issuedOn, warn } = options
  return async (invoice) => {
    if (isDocumentFormat(format)) {
      if (!settings) throw new Error(`the ${format} format needs the document settings`)
      return renderDocument(
        format,
        { invoice, plan: catalog.plans.get(invoice.plan), settings, issuedOn },
        warn,
      )
    }
    return `${format === 'json' ? JSON.stringify(invoiceJson(invoice)) : invoiceTable(invoice)}\n`
  }
}
