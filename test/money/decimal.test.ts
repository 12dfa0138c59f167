import { Decimal as DefaultDecimal } from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { Decimal, formatDecimal, isCurrency, minorUnits, roundMoney } from '../../src/money/decimal.js'

describe('Decimal is exact', () => {
  it('adds 0.1 and 0.2 to exactly 0.3', () => {
    expect(new Decimal('0.1').plus('0.2').toFixed()).toBe('0.3')
  })

  it('multiplies 30 by 0.1 to exactly 3', () => {
    expect(new Decimal(30).times('0.1').toFixed()).toBe('3')
  })

  it('keeps 60 significant digits, where the default configuration keeps 20', () => {
    expect(new Decimal(1).div(3).toFixed()).toBe('0.' + '3'.repeat(60))
    expect(new DefaultDecimal(1).div(3).toFixed()).toBe('0.' + '3'.repeat(20))
  })
})

describe('minor units come from ISO 4217', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['BHD', 3],
    ['KWD', 3],
    ['TND', 3],
    ['CLF', 4],
    ['UYW', 4],
  ])('%s has %i decimals', (currency, digits) => {
    expect(minorUnits(currency)).toBe(digits)
  })

  // CLDR, and so Intl, gives HUF, IDR and COP 0 digits and IQD 0: ISO 4217 is what invoices follow.
  it.each([
    ['HUF', 2],
    ['IDR', 2],
    ['COP', 2],
    ['IQD', 3],
  ])('%s has %i decimals, as ISO 4217 says and Intl does not', (currency, digits) => {
    expect(minorUnits(currency)).toBe(digits)
  })

  it('refuses a code ISO 4217 does not list', () => {
    expect(() => minorUnits('ABC')).toThrow('ABC is not an active ISO 4217 code')
  })
})

describe('a currency is an active ISO 4217 code with a minor unit, in three uppercase letters', () => {
  it.each([
    ['USD', true],
    ['JPY', true],
    ['HUF', true],
    ['CLF', true],
    ['usd', false],
    ['US', false],
    ['USDX', false],
    ['ABC', false],
    ['HRK', false],
    ['XAU', false],
    ['XXX', false],
  ])('%s -> %s', (code, expected) => {
    expect(isCurrency(code)).toBe(expected)
  })
})

describe('money is rounded half-up to the minor unit', () => {
  it.each([
    ['0.005', 'USD', '0.01'],
    ['0.004999', 'USD', '0'],
    ['0.015', 'USD', '0.02'],
    ['2.675', 'USD', '2.68'],
    ['12.3449999', 'USD', '12.34'],
    ['1234.5', 'JPY', '1235'],
    ['1234.4999', 'JPY', '1234'],
    ['1.2345', 'BHD', '1.235'],
    ['1.23449', 'BHD', '1.234'],
    ['1.005', 'HUF', '1.01'],
    ['1.0005', 'IQD', '1.001'],
    ['1.00049', 'IQD', '1'],
    ['1.00005', 'CLF', '1.0001'],
  ])('%s %s -> %s', (amount, currency, expected) => {
    expect(roundMoney(new Decimal(amount), currency).toFixed()).toBe(expected)
  })

  it('rounds half away from zero for negative amounts', () => {
    expect(roundMoney(new Decimal('-0.005'), 'USD').toFixed()).toBe('-0.01')
    expect(roundMoney(new Decimal('-0.0049'), 'USD').toFixed()).toBe('0')
  })

  it('never returns a negative zero', () => {
    expect(roundMoney(new Decimal('-0.001'), 'USD').isNegative()).toBe(false)
  })

  it('rounds a 2.675 float literal as the decimal 2.675, not its binary neighbour', () => {
    expect(roundMoney(2.675, 'USD').toFixed()).toBe('2.68')
  })
})

describe('decimals are printed in plain notation', () => {
  it('pads amounts to the minor digits', () => {
    expect(formatDecimal(new Decimal('12.5'), 2)).toBe('12.50')
    expect(formatDecimal(new Decimal('0'), 2)).toBe('0.00')
    expect(formatDecimal(new Decimal('1.125'), 3)).toBe('1.125')
  })

  it('prints JPY amounts without a decimal point', () => {
    expect(formatDecimal(roundMoney(new Decimal('1199.5'), 'JPY'), minorUnits('JPY'))).toBe('1200')
  })

  it('trims trailing zeros of units', () => {
    expect(formatDecimal(new Decimal('3.000'))).toBe('3')
    expect(formatDecimal(new Decimal('0.1250'))).toBe('0.125')
  })

  it('keeps digits beyond the minimum instead of rounding them away', () => {
    expect(formatDecimal(new Decimal('1.2345'), 2)).toBe('1.2345')
  })

  it('never uses exponential notation', () => {
    expect(formatDecimal(new Decimal('1e21'))).toBe('1000000000000000000000')
    expect(formatDecimal(new Decimal('1e-7'))).toBe('0.0000001')
  })
})
