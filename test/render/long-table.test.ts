// The long table draws what cli-table3 draws for the same plain cells, at any length.
import Table from 'cli-table3'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { longTable, type Align } from '../../src/render/long-table.js'

function cliTable3(head: string[], rows: string[][], aligns: Align[]): string {
  const t = new Table({ head, colAligns: aligns, style: { head: [], border: [], compact: true } })
  t.push(...rows)
  return t.toString()
}

// Cells as invoices hold them: ids, names in any script (wide, combining), amounts, empty text.
const cell = fc.oneof(
  fc.string({ maxLength: 12 }).filter((s) => !/[\x00-\x1f\x7f-\x9f\n]/.test(s)),
  fc.constantFrom('日本語の顧客', 'Müller GmbH', 'e\u0301te\u0301', '', '1,234.56', 'ΑΒΓ', '🙂 smile'),
)

describe('longTable', () => {
  it('draws exactly the compact table cli-table3 draws', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((cols) =>
          fc.record({
            head: fc.array(cell, { minLength: cols, maxLength: cols }),
            rows: fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), { maxLength: 8 }),
            aligns: fc.array(fc.constantFrom<Align>('left', 'right'), { minLength: cols, maxLength: cols }),
          }),
        ),
        ({ head, rows, aligns }) => {
          expect(longTable(head, rows, aligns)).toBe(cliTable3(head, rows, aligns))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('draws 100,000 rows', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => [`cust_${i}`, '1.00'])
    const lines = longTable(['Customer', 'Total'], rows, ['left', 'right']).split('\n')
    expect(lines).toHaveLength(100_004)
    expect(lines[3]).toBe('│ cust_0     │  1.00 │')
    expect(lines.at(-2)).toBe('│ cust_99999 │  1.00 │')
  })
})
