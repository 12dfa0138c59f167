// Where an invoice may be written, in which format, with which issue date: the flags' rules.
import { describe, expect, it } from 'vitest'
import {
  checkOutput,
  chosenFormat,
  DocumentError,
  issueDate,
  writeInvoiceFile,
} from '../../src/documents/output.js'
import { exitCodeOf } from '../../src/cli/exit-codes.js'

describe('the output rules of invoice documents', () => {
  it('--all --format html|pdf needs --out DIR', () => {
    for (const format of ['html', 'pdf'] as const) {
      expect(() => checkOutput({ format, all: true, stdoutIsTTY: false })).toThrow(/--out DIR/)
      expect(() => checkOutput({ format, all: true, out: 'dir', stdoutIsTTY: false })).not.toThrow()
    }
  })

  it('a PDF goes to a file or a pipe, never to a terminal', () => {
    expect(() => checkOutput({ format: 'pdf', all: false, stdoutIsTTY: true })).toThrow(
      /not for the terminal/,
    )
    expect(() => checkOutput({ format: 'pdf', all: false, stdoutIsTTY: false })).not.toThrow()
    expect(() => checkOutput({ format: 'pdf', all: false, out: 'a.pdf', stdoutIsTTY: true })).not.toThrow()
    expect(() => checkOutput({ format: 'html', all: false, stdoutIsTTY: true })).not.toThrow()
  })

  it('--json is --format json, and goes with no other format', () => {
    expect(chosenFormat(undefined, false)).toBe('table')
    expect(chosenFormat(undefined, true)).toBe('json')
    expect(chosenFormat('json', true)).toBe('json')
    expect(() => chosenFormat('pdf', true)).toThrow(/--json/)
  })

  it('--issued-on is a real calendar date; today (UTC) by default', () => {
    expect(issueDate('2026-11-02').toISOString()).toBe('2026-11-02T00:00:00.000Z')
    expect(issueDate(undefined, new Date('2026-11-02T23:59:59Z')).toISOString()).toBe(
      '2026-11-02T00:00:00.000Z',
    )
    for (const bad of ['2026-02-30', '2026-11-2', 'tomorrow', '2026-11-02T00:00:00Z'])
      expect(() => issueDate(bad)).toThrow(/--issued-on/)
  })

  it('a file --out cannot write is a usage error, exit code 2', () => {
    let error: unknown
    try {
      writeInvoiceFile('/nonexistent-folder/acme.pdf', 'x')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DocumentError)
    expect((error as Error).message).toMatch(/^cannot write \/nonexistent-folder\/acme\.pdf: ENOENT/)
    expect(exitCodeOf(error)).toBe(2)
    expect(exitCodeOf(new DocumentError('x'))).toBe(2)
  })
})
