// The one call that renders an invoice document. The HTML and PDF writers (eta, pdfkit, fonts) are
// loaded when a document is first asked for, so that the table and JSON formats never pay for them.
import type { Invoice } from '../invoices/types.js'
import type { Catalog } from '../plans/types.js'
import { invoiceJson, invoiceTable } from '../render/invoice.js'
import { invoiceDocument, type DocumentInput } from './document.js'
import { isDocumentFormat, type DocumentFormat, type InvoiceFormat } from './output.js'
import type { DocumentSettings } from './seller.js'

/** The invoice as a customer receives it: an HTML page (text) or a PDF file (bytes). */
export async function renderDocument(format: DocumentFormat, input: DocumentInput): Promise<string | Buffer> {
  const document = invoiceDocument(input)
  if (format === 'html') return (await import('./html.js')).invoiceHtml(document)
  return (await import('./pdf.js')).invoicePdf(document)
}

export interface RendererOptions {
  format: InvoiceFormat
  catalog: Catalog
  /** billing.yaml, needed by the html and pdf formats. */
  settings?: DocumentSettings
  issuedOn: Date
}

/** An invoice in the chosen format, whole: a table or JSON line for stdout, or a document. */
export function invoiceRenderer(options: RendererOptions): (invoice: Invoice) => Promise<string | Buffer> {
  const { format, catalog, settings, issuedOn } = options
  return async (invoice) => {
    if (isDocumentFormat(format)) {
      if (!settings) throw new Error(`the ${format} format needs the document settings`)
      return renderDocument(format, { invoice, plan: catalog.plans.get(invoice.plan), settings, issuedOn })
    }
    return `${format === 'json' ? JSON.stringify(invoiceJson(invoice)) : invoiceTable(invoice)}\n`
  }
}
