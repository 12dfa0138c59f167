// The PDF invoice, drawn with pdfkit from the same InvoiceDocument as the HTML one. DejaVu Sans is
// embedded (subset), so that names in Latin, Greek, Cyrillic and the other scripts it covers print as
// written. The same document gives the same bytes: the PDF's dates are the issue date.
import PDFDocument from 'pdfkit'
import type { InvoiceDocument } from './document.js'
import { FONT_FILES } from './glyphs.js'
import { COLORS, MARGIN, contentWidth, ensureSpace, smallHeading } from './pdf-layout.js'
import { drawLinesTable } from './pdf-table.js'

const PAGE_SIZES = { a4: 'A4', letter: 'LETTER' } as const

export function invoicePdf(document: InvoiceDocument): Promise<Buffer> {
  const doc = new PDFDocument({
    size: PAGE_SIZES[document.pageSize],
    margins: { top: MARGIN, bottom: 20, left: MARGIN, right: MARGIN },
    bufferPages: true,
    lang: document.locale,
    displayTitle: true,
    info: {
      Title: `Invoice ${document.number}`,
      Author: document.seller?.name ?? '',
      Subject: `Invoice for ${document.customer.name}, ${document.period}`,
      Creator: 'billing',
      Producer: 'billing (pdfkit)',
      CreationDate: document.issuedOn,
      ModDate: document.issuedOn,
    },
  })
  doc.registerFont('regular', FONT_FILES.regular)
  doc.registerFont('bold', FONT_FILES.bold)
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  drawHeader(doc, document)
  drawParties(doc, document)
  drawLinesTable(doc, document)
  drawTotals(doc, document)
  drawNotes(doc, document)
  drawFooters(doc, document)
  doc.end()
  return done
}

type Doc = PDFKit.PDFDocument

function drawHeader(doc: Doc, d: InvoiceDocument): void {
  const top = MARGIN
  const metaWidth = 230
  const metaX = doc.page.width - MARGIN - metaWidth
  const sellerWidth = metaX - MARGIN - 24
  doc.x = MARGIN
  doc.y = top
  const seller = d.seller
  if (seller?.logo) {
    // Without x and y the image flows like text, so doc.y moves below it.
    doc.image(seller.logo.bytes, { fit: [170, 56] })
    doc.y += 10
  }
  if (seller) {
    doc
      .font('bold')
      .fontSize(12)
      .fillColor(COLORS.text)
      .text(seller.name, MARGIN, doc.y, { width: sellerWidth })
    doc.font('regular').fontSize(9).moveDown(0.2)
    for (const line of seller.address) doc.text(line, { width: sellerWidth })
    doc.fillColor(COLORS.muted)
    if (seller.taxId) doc.text(`Tax id ${seller.taxId}`, { width: sellerWidth })
    if (seller.email) doc.text(seller.email, { width: sellerWidth })
  }
  const sellerBottom = doc.y

  doc.font('bold').fontSize(22).fillColor(COLORS.accent)
  doc.text('INVOICE', metaX, top, { width: metaWidth, align: 'right', characterSpacing: 1 })
  doc.moveDown(0.3)
  const meta: [string, string][] = [
    ['Invoice number', d.number],
    ['Issue date', d.issued],
    ...(d.due ? [['Due date', d.due] as [string, string]] : []),
  ]
  doc.fontSize(9)
  for (const [label, value] of meta) {
    const y = doc.y
    doc.font('regular').fillColor(COLORS.muted).text(label, metaX, y, { width: 90, lineBreak: false })
    doc
      .font('bold')
      .fillColor(COLORS.text)
      .text(value, metaX + 90, y, { width: metaWidth - 90, align: 'right' })
    doc.y = Math.max(doc.y, y + 13)
  }
  doc.y = Math.max(sellerBottom, doc.y) + 28
}

function drawParties(doc: Doc, d: InvoiceDocument): void {
  const top = doc.y
  const half = contentWidth(doc) / 2
  const right = MARGIN + half + 12
  const width = half - 12
  smallHeading(doc, 'Bill to', MARGIN, top, width)
  doc.font('bold').fontSize(12).fillColor(COLORS.text).text(d.customer.name, MARGIN, doc.y, { width })
  doc.font('regular').fontSize(9).fillColor(COLORS.muted).text(`Customer id ${d.customer.id}`, { width })
  const leftBottom = doc.y
  smallHeading(doc, 'Billing period', right, top, width)
  doc.font('bold').fontSize(10).fillColor(COLORS.text).text(d.period, right, doc.y, { width })
  doc.font('regular').fontSize(9).fillColor(COLORS.muted)
  doc.text(`${d.plan} plan, amounts in ${d.currency}`, right, doc.y, { width })
  doc.x = MARGIN
  doc.y = Math.max(leftBottom, doc.y) + 22
}

function drawTotals(doc: Doc, d: InvoiceDocument): void {
  const width = 240
  const x = doc.page.width - MARGIN - width
  const rows: [string, string][] = [
    ['Subtotal', d.subtotal],
    [d.taxLabel, d.tax],
  ]
  ensureSpace(doc, 16 * rows.length + 40)
  doc.y += 12
  doc.fontSize(9.5)
  for (const [label, amount] of rows) {
    const y = doc.y
    doc
      .font('regular')
      .fillColor(COLORS.text)
      .text(label, x, y, { width: width - 120, lineBreak: false })
    doc.text(amount, x + width - 150, y, { width: 150, align: 'right', lineBreak: false })
    doc.y = y + 16
  }
  const y = doc.y + 4
  doc
    .moveTo(x, y)
    .lineTo(x + width, y)
    .lineWidth(1.5)
    .strokeColor(COLORS.accent)
    .stroke()
  doc.font('bold').fontSize(12).fillColor(COLORS.text)
  doc.text('Total due', x, y + 8, { width: 100, lineBreak: false })
  doc.text(d.total, x + width - 170, y + 8, { width: 170, align: 'right', lineBreak: false })
  doc.x = MARGIN
  doc.y = y + 34
}

function drawNotes(doc: Doc, d: InvoiceDocument): void {
  const width = contentWidth(doc)
  const block = (title: string, lines: string[], bullet: boolean) => {
    doc.font('regular').fontSize(9)
    const height = lines.reduce((h, l) => h + doc.heightOfString(l, { width: width - 12 }) + 2, 20)
    ensureSpace(doc, Math.min(height, 120))
    smallHeading(doc, title, MARGIN, doc.y + 6, width)
    doc.font('regular').fontSize(9).fillColor(COLORS.text)
    for (const line of lines) {
      ensureSpace(doc, doc.heightOfString(line, { width: width - 12 }))
      const y = doc.y
      if (bullet) doc.text('•', MARGIN, y, { lineBreak: false })
      doc.text(line, MARGIN + (bullet ? 12 : 0), y, { width: width - 12 })
      doc.moveDown(0.15)
    }
    doc.moveDown(0.8)
  }
  if (d.notBilled.length > 0) block('Not billed', d.notBilled, true)
  const payment = [...(d.paymentTerms ? [d.paymentTerms] : []), ...d.notes]
  if (payment.length > 0) block('Payment', payment, false)
}

/** Seller, invoice number and page n of N at the foot of every page. */
function drawFooters(doc: Doc, d: InvoiceDocument): void {
  const { start, count } = doc.bufferedPageRange()
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i)
    const y = doc.page.height - MARGIN + 8
    const width = contentWidth(doc)
    doc
      .moveTo(MARGIN, y - 8)
      .lineTo(MARGIN + width, y - 8)
      .lineWidth(0.5)
      .strokeColor(COLORS.rule)
      .stroke()
    doc.font('regular').fontSize(8).fillColor(COLORS.muted)
    doc.text(d.seller?.name ?? '', MARGIN, y, { width: width / 2, lineBreak: false })
    const page = `Invoice ${d.number} · page ${i - start + 1} of ${count}`
    doc.text(page, MARGIN + width / 2, y, { width: width / 2, align: 'right', lineBreak: false })
  }
}
