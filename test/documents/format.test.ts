// Amounts, units and dates in the seller's locale, from exact decimal strings: every digit is kept,
// the currency's ISO 4217 minor digits are shown, and the locale's own separators are used.
import { describe, expect, it } from 'vitest'
import { formatDate, formatMoney, formatPercent, formatUnits } from '../../src/documents/format.js'

const NNBSP = '\u202f'
const NBSP = '\u00a0'

describe('formatMoney', () => {
  it('writes EUR in fr-FR with a narrow no-break space between thousands and a no-break space before €', () => {
    expect(formatMoney('1234.56', 'EUR', 'fr-FR')).toBe(`1${NNBSP}234,56${NBSP}€`)
    expect([...formatMoney('1234.56', 'EUR', 'fr-FR')].map((c) => c.codePointAt(0))).toEqual([
      0x31, 0x202f, 0x32, 0x33, 0x34, 0x2c, 0x35, 0x36, 0xa0, 0x20ac,
    ])
  })

  it('writes USD in en-US with two digits', () => {
    expect(formatMoney('336.12', 'USD', 'en-US')).toBe('$336.12')
    expect(formatMoney('0.00', 'USD', 'en-US')).toBe('$0.00')
    expect(formatMoney('-5.00', 'USD', 'en-US')).toBe('-$5.00')
  })

  it('writes JPY with no minor digits and BHD with three, as ISO 4217 says', () => {
    expect(formatMoney('1234', 'JPY', 'en-US')).toBe('¥1,234')
    expect(formatMoney('1234.567', 'BHD', 'en-US')).toBe(`BHD${NBSP}1,234.567`)
    expect(formatMoney('1234.5', 'BHD', 'en-US')).toBe(`BHD${NBSP}1,234.500`)
  })

  it('keeps every digit of values no binary float holds', () => {
    // 12345678901234.56 as a double is 12345678901234.560546875: exact only from the string.
    expect(formatMoney('12345678901234.56', 'EUR', 'fr-FR')).toBe(
      `12${NNBSP}345${NNBSP}678${NNBSP}901${NNBSP}234,56${NBSP}€`,
    )
    expect(formatMoney('12345678901234567890.12', 'USD', 'en-US')).toBe('$12,345,678,901,234,567,890.12')
    expect(formatMoney('9007199254740993.01', 'USD', 'en-US')).toBe('$9,007,199,254,740,993.01')
  })

  it('shows more digits than the minor unit when the value has them (unit prices, tier parts), never fewer', () => {
    expect(formatMoney('0.00005', 'USD', 'en-US')).toBe('$0.00005')
    expect(formatMoney('16.71525', 'EUR', 'fr-FR')).toBe(`16,71525${NBSP}€`)
    expect(formatMoney('12', 'USD', 'en-US')).toBe('$12.00')
  })

  it('refuses a text that is not a decimal, rather than print NaN', () => {
    expect(() => formatMoney('1e3', 'USD', 'en-US')).toThrow(/not a decimal string/)
  })
})

describe('formatUnits', () => {
  it('groups digits as the locale does and keeps the decimals', () => {
    expect(formatUnits('1879470', 'en-US')).toBe('1,879,470')
    expect(formatUnits('1879470', 'fr-FR')).toBe(`1${NNBSP}879${NNBSP}470`)
    expect(formatUnits('262.737847035544', 'de-DE')).toBe('262,737847035544')
    expect(formatUnits('123456789012345678.123456789012', 'en-US')).toBe(
      '123,456,789,012,345,678.123456789012',
    )
  })
})

describe('formatPercent and formatDate', () => {
  it('writes a percent rate with the locale sign and spacing', () => {
    expect(formatPercent('20', 'en-US')).toBe('20%')
    expect(formatPercent('19', 'fr-FR')).toBe(`19${NBSP}%`)
    expect(formatPercent('0.005', 'en-US')).toBe('0.005%')
    expect(formatPercent('1.2', 'de-DE')).toBe(`1,2${NBSP}%`)
  })

  it('writes a UTC date in the long form of the locale', () => {
    const date = new Date('2026-10-01T00:00:00Z')
    expect(formatDate(date, 'en-US')).toBe('October 1, 2026')
    expect(formatDate(date, 'fr-FR')).toBe('1 octobre 2026')
  })
})
