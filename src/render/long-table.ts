// A table of many rows of plain cells (no wrapping, no colours, no spans), drawn like cli-table3's
// compact tables. cli-table3 lays out every cell against every other: 10,000 rows took it 1.8 s here,
// for `invoice --all`'s summary of 10,000 customers; this takes a few milliseconds. Widths are
// measured as a terminal shows them (string-width: wide and combining characters).
import stringWidth from 'string-width'

export type Align = 'left' | 'right'

/** Printable ASCII is one column a character; anything else is measured. */
const width = (text: string) => (/^[\x20-\x7e]*$/.test(text) ? text.length : stringWidth(text))

export function longTable(head: string[], rows: string[][], aligns: Align[]): string {
  const widths = head.map((h) => width(h))
  for (const r of rows) r.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, width(cell))))
  const align = (c: number) => aligns[c] ?? 'left'
  const line = (l: string, m: string, r: string) => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`
  const row = (cells: string[]) =>
    `│${cells
      .map((cell, c) => {
        const pad = ' '.repeat(widths[c]! - width(cell))
        return ` ${align(c) === 'right' ? pad + cell : cell + pad} `
      })
      .join('│')}│`
  return [
    line('┌', '┬', '┐'),
    row(head),
    ...(rows.length > 0 ? [line('├', '┼', '┤')] : []),
    ...rows.map((r) => row(r)),
    line('└', '┴', '┘'),
  ].join('\n')
}
