// What the PDF's parts share: the page's geometry and colours, and the rule for page breaks.
type Doc = PDFKit.PDFDocument

export const COLORS = {
  text: '#1d2430',
  muted: '#5b6472',
  accent: '#24406b',
  rule: '#d6dbe3',
  band: '#f4f6f9',
}
export const MARGIN = 50
/** Space kept at the bottom of every page for the footer. */
export const FOOTER_SPACE = 46

export function contentWidth(doc: Doc): number {
  return doc.page.width - 2 * MARGIN
}

/** The lowest y content may reach on a page, above the footer. */
export function bottomLimit(doc: Doc): number {
  return doc.page.height - MARGIN - FOOTER_SPACE / 2
}

/** Starts a new page when `height` more points do not fit on this one. */
export function ensureSpace(doc: Doc, height: number): boolean {
  if (doc.y + height <= bottomLimit(doc)) return false
  doc.addPage()
  doc.y = MARGIN
  return true
}

export function smallHeading(doc: Doc, text: string, x: number, y: number, width: number): void {
  doc.font('bold').fontSize(7.5).fillColor(COLORS.muted)
  doc.text(text.toUpperCase(), x, y, { width })
  doc.moveDown(0.25)
}

/** The smallest a number is shrunk to fit its column before it wraps: a huge amount stays on one line. */
const MIN_SCALE = 0.6

export interface NumberFit {
  size: number
  /** Too long even at MIN_SCALE: it wraps. */
  wrap: boolean
  height: number
}

/** How a number fits its column: as it is, in a size down to 60 %, or wrapped at 60 %. */
export function fitNumber(doc: Doc, text: string, width: number, size: number, font: string): NumberFit {
  doc.font(font).fontSize(size)
  const natural = doc.widthOfString(text)
  if (natural <= width) return { size, wrap: false, height: doc.currentLineHeight(true) }
  if (natural * MIN_SCALE <= width) {
    const smaller = (size * width) / natural
    return { size: smaller, wrap: false, height: doc.fontSize(smaller).currentLineHeight(true) }
  }
  doc.fontSize(size * MIN_SCALE)
  return { size: size * MIN_SCALE, wrap: true, height: doc.heightOfString(text, { width }) }
}

/** A number right-aligned in its column, laid out by fitNumber. */
export function drawNumber(
  doc: Doc,
  text: string,
  x: number,
  y: number,
  width: number,
  size: number,
  font: string,
) {
  const fit = fitNumber(doc, text, width, size, font)
  doc.font(font).fontSize(fit.size)
  doc.text(text, x, y, { width, align: 'right', lineBreak: fit.wrap })
  doc.fontSize(size)
}
