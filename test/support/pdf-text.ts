// The text of a PDF as a reader's copy-paste would give it, page by page: pdf.js (the legacy build,
// for Node) reads the content streams and the fonts' ToUnicode maps. Items on one baseline are one
// line, left to right, joined by two spaces; lines run top to bottom.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'

interface Item {
  str: string
  transform: number[]
}

export async function pdfPages(bytes: Uint8Array): Promise<string[][]> {
  const pdf = await getDocument({
    data: new Uint8Array(bytes),
    useSystemFonts: false,
    isEvalSupported: false,
  }).promise
  const pages: string[][] = []
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n)
    const content = await page.getTextContent({ disableNormalization: true })
    const items = (content.items as Item[]).filter((i) => 'str' in i && i.str.trim() !== '')
    const lines = new Map<number, Item[]>()
    for (const item of items) {
      const y = Math.round(item.transform[5]!)
      lines.set(y, [...(lines.get(y) ?? []), item])
    }
    pages.push(
      [...lines.entries()]
        .sort(([a], [b]) => b - a)
        .map(([, line]) =>
          line
            .sort((a, b) => a.transform[4]! - b.transform[4]!)
            .map((i) => i.str)
            .join('  '),
        ),
    )
  }
  await pdf.destroy()
  return pages
}

/** Every text item of every page, as drawn: one cell of the document each. */
export async function pdfItems(bytes: Uint8Array): Promise<string[]> {
  const pdf = await getDocument({
    data: new Uint8Array(bytes),
    useSystemFonts: false,
    isEvalSupported: false,
  }).promise
  const all: string[] = []
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent({ disableNormalization: true })
    for (const item of content.items as Item[])
      if ('str' in item && item.str.trim() !== '') all.push(item.str)
  }
  await pdf.destroy()
  return all
}
