// The HTML invoice: one self-contained page from the template templates/invoice.eta, which a reader
// can edit without touching code. Eta escapes every interpolation, so that a customer named
// `<script>` is printed, not run. The build copies the template next to the compiled module.
import { Eta } from 'eta'
import { fileURLToPath } from 'node:url'
import type { InvoiceDocument } from './document.js'

export const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url))

let eta: Eta | undefined

export function invoiceHtml(document: InvoiceDocument): string {
  eta ??= new Eta({ views: TEMPLATES_DIR, autoEscape: true, cache: true })
  const logo = document.seller?.logo
  const logoSrc = logo ? `data:${logo.mime};base64,${logo.bytes.toString('base64')}` : undefined
  return eta.render('invoice', { ...document, logoSrc })
}
