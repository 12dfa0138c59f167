// The lines table of the PDF invoice: one row per line and per tier, each row measured before it is
// drawn so that it is never cut by a page break; every page the table continues on repeats its header.
import type { DocumentRow, DocumentSection, InvoiceDocument } from './document.js'
import { COLORS, MARGIN, contentWidth, drawNumber, ensureSpace, fitNumber } from './pdf-layout.js'

type Doc = PDFKit.PDFDocument

interface Column {
  title: string
  width: number
  align: 'left' | 'right'
}

const PAD = 5
const SIZES = { line: 9, tier: 8, detail: 7.5, head: 7.5 }

function columns(doc: Doc): Column[] {
  const units = 96
  const price = 144
  const amount = 90
  return [
    { title: 'Description', width: contentWidth(doc) - units - price - amount, align: 'left' },
    { title: 'Quantity', width: units, align: 'right' },
    { title: 'Unit price', width: price, align: 'right' },
    { title: 'Amount', width: amount, align: 'right' },
  ]
}

export function drawLinesTable(doc: Doc, d: InvoiceDocument): void {
  const cols = columns(doc)
  drawHead(doc, cols)
  for (const section of d.sections) drawSection(doc, cols, section)
}

function drawHead(doc: Doc, cols: Column[]): void {
  let x = MARGIN
  const y = doc.y
  doc.font('bold').fontSize(SIZES.head).fillColor(COLORS.muted)
  for (const col of cols) {
    doc.text(col.title.toUpperCase(), x + PAD, y, {
      width: col.width - 2 * PAD,
      align: col.align,
      characterSpacing: 0.6,
      lineBreak: false,
    })
    x += col.width
  }
  const rule = y + 13
  doc.moveTo(MARGIN, rule).lineTo(x, rule).lineWidth(1.5).strokeColor(COLORS.accent).stroke()
  doc.y = rule + 5
}

/** Starts a new page with the table's header when `height` does not fit. */
function ensureRow(doc: Doc, cols: Column[], height: number): void {
  if (ensureSpace(doc, height)) drawHead(doc, cols)
}

function drawSection(doc: Doc, cols: Column[], section: DocumentSection): void {
  if (section.title) {
    ensureRow(doc, cols, 40)
    const width = cols.reduce((w, c) => w + c.width, 0)
    const y = doc.y
    doc.rect(MARGIN, y, width, 18).fill(COLORS.band)
    doc.font('bold').fontSize(8.5).fillColor(COLORS.accent)
    doc.text(section.title, MARGIN + PAD, y + 5, { width: width - 2 * PAD, lineBreak: false })
    doc.y = y + 22
  }
  section.rows.forEach((row, i) => {
    const next = section.rows[i + 1]
    drawRow(doc, cols, row, !next || next.kind === 'line')
  })
  if (section.subtotal) {
    ensureRow(doc, cols, 20)
    const y = doc.y + 2
    const amount = cols.at(-1)!
    const left = contentWidth(doc) - amount.width
    doc.font('regular').fontSize(SIZES.tier).fillColor(COLORS.muted)
    doc.text('Subtotal of the interval', MARGIN + PAD, y, {
      width: left - 2 * PAD,
      align: 'right',
      lineBreak: false,
    })
    drawNumber(doc, section.subtotal, MARGIN + left + PAD, y, amount.width - 2 * PAD, SIZES.tier, 'bold')
    doc.y = y + 20
  }
}

function drawRow(doc: Doc, cols: Column[], row: DocumentRow, lastOfLine: boolean): void {
  const tier = row.kind === 'tier'
  const size = tier ? SIZES.tier : SIZES.line
  const indent = tier ? 14 : 0
  const [desc, units, price, amount] = cols as [Column, Column, Column, Column]
  const descWidth = desc.width - 2 * PAD - indent
  const title = tier ? [row.description, ...row.details].join(' · ') : row.description
  const details = tier ? [] : row.details

  doc.font(tier ? 'regular' : 'bold').fontSize(size)
  let height = doc.heightOfString(title, { width: descWidth })
  doc.font('regular').fontSize(SIZES.detail)
  for (const detail of details) height += doc.heightOfString(detail, { width: descWidth })
  doc.font('regular').fontSize(size)
  height = Math.max(
    height,
    doc.heightOfString(row.price || ' ', { width: price.width - 2 * PAD }),
    fitNumber(doc, row.units, units.width - 2 * PAD, size, 'regular').height,
    fitNumber(doc, row.amount, amount.width - 2 * PAD, size, tier ? 'regular' : 'bold').height,
  )
  const padTop = tier ? 1.5 : 5
  const padBottom = lastOfLine ? 6 : 1.5
  ensureRow(doc, cols, padTop + height + padBottom)

  const y = doc.y + padTop
  const x = MARGIN + PAD + indent
  doc
    .font(tier ? 'regular' : 'bold')
    .fontSize(size)
    .fillColor(tier ? COLORS.muted : COLORS.text)
  doc.text(title, x, y, { width: descWidth })
  doc.font('regular').fontSize(SIZES.detail).fillColor(COLORS.muted)
  for (const detail of details) doc.text(detail, x, doc.y, { width: descWidth })

  let cx = MARGIN + desc.width
  doc.fillColor(tier ? COLORS.muted : COLORS.text)
  drawNumber(doc, row.units, cx + PAD, y, units.width - 2 * PAD, size, 'regular')
  cx += units.width
  doc.font('regular').fontSize(size)
  doc.text(row.price, cx + PAD, y, { width: price.width - 2 * PAD, align: 'right' })
  cx += price.width
  doc.fillColor(tier ? COLORS.muted : COLORS.text)
  drawNumber(doc, row.amount, cx + PAD, y, amount.width - 2 * PAD, size, tier ? 'regular' : 'bold')

  const bottom = y + height + padBottom
  if (lastOfLine) {
    doc
      .moveTo(MARGIN, bottom)
      .lineTo(cx + amount.width, bottom)
      .lineWidth(0.5)
      .strokeColor(COLORS.rule)
      .stroke()
  }
  doc.x = MARGIN
  doc.y = bottom
}
