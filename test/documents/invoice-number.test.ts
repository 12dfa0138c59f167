// The invoice number rule: <prefix>-<YYYYMM of the period's start>-<customer>, the same every time.
import { describe, expect, it } from 'vitest'
import { invoiceNumber } from '../../src/documents/invoice-number.js'

const OCTOBER = new Date('2026-10-01T00:00:00Z')

describe('invoiceNumber', () => {
  it('is the prefix, the month of the period start and a plain customer id', () => {
    expect(invoiceNumber('acme', OCTOBER)).toBe('INV-202610-acme')
    expect(invoiceNumber('acme', OCTOBER, 'WD')).toBe('WD-202610-acme')
    expect(invoiceNumber('Acme', OCTOBER, 'WD')).toBe('WD-202610-Acme')
  })

  it('writes the day too for a period that does not start on the first of a month', () => {
    expect(invoiceNumber('acme', new Date('2026-10-15T00:00:00Z'))).toBe('INV-20261015-acme')
    expect(invoiceNumber('acme', new Date('2026-10-01T12:00:00Z'))).toBe('INV-20261001-acme')
  })

  it('writes any other id as 10 hex digits of its SHA-256: short, printable, stable', () => {
    const a = invoiceNumber('Zoë Łukasiewicz', OCTOBER)
    expect(a).toMatch(/^INV-202610-[0-9a-f]{10}$/)
    expect(invoiceNumber('Zoë Łukasiewicz', OCTOBER)).toBe(a)
    expect(invoiceNumber('x'.repeat(1000), OCTOBER)).toMatch(/^INV-202610-[0-9a-f]{10}$/)
    expect(invoiceNumber('a b', OCTOBER)).not.toBe(invoiceNumber('a_b', OCTOBER))
  })
})
