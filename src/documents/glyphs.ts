// Which characters of a document the PDF's font cannot draw. DejaVu Sans covers Latin, Greek,
// Cyrillic and many more scripts, but not Chinese, Japanese or Korean: such a character would print
// as an empty box, so the writer of the PDF is told which ones, rather than find out from a customer.
import { openSync, type Font } from 'fontkit'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** The fonts embedded in every PDF invoice (package dejavu-fonts-ttf, Bitstream Vera licence). */
export const FONT_FILES = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
}

let fonts: Font[] | undefined

/** The characters of `texts` that a font of the PDF has no glyph for, each once, in order. */
export function missingGlyphs(texts: Iterable<string>): string[] {
  fonts ??= Object.values(FONT_FILES).map((file) => openSync(file) as Font)
  const missing = new Set<string>()
  for (const text of texts)
    for (const char of text) {
      const code = char.codePointAt(0)!
      // Line breaks and other controls are never drawn.
      if (code < 0x20 || (code >= 0x7f && code < 0xa0)) continue
      if (!fonts.every((font) => font.hasGlyphForCodePoint(code))) missing.add(char)
    }
  return [...missing]
}

/** Every text of a value (an InvoiceDocument), depth first; bytes such as a logo are not text. */
export function* textsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value
  else if (Array.isArray(value)) for (const item of value) yield* textsOf(item)
  else if (value && typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Date))
    for (const item of Object.values(value)) yield* textsOf(item)
}
