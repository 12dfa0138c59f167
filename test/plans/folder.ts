// Writes a plans folder into a fresh temporary directory, for tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'
import { Decimal } from '../../src/money/decimal.js'
import { loadPlans } from '../../src/plans/load.js'

const folders: string[] = []
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true })
})

/** Writes each file (name -> YAML text) into a new temporary folder and returns the folder. */
export function plansFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'billing-plans-'))
  folders.push(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
  return dir
}

/**
 * Strips the indentation common to all lines and the first line break, so that YAML can be written
 * indented inside a test and line 1 is the line right after the opening backtick.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '')
  const lines = text.split('\n')
  const indent = Math.min(
    ...lines.filter((line) => line.trim() !== '').map((line) => line.match(/^ */)![0].length),
  )
  return lines.map((line) => line.slice(indent)).join('\n')
}

/** A value with every Decimal replaced by its exact text, so that tests compare numbers as written. */
export function exact(value: unknown): unknown {
  if (Decimal.isDecimal(value)) return value.toFixed()
  if (Array.isArray(value)) return value.map(exact)
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [key, exact(item)]))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, exact(item)]))
  }
  return value
}

/** The problems of a folder of these files, each file by its name only, for exact comparisons. */
export async function problemsOf(files: Record<string, string>) {
  const { problems } = await loadPlans(plansFolder(files))
  return problems.map((problem) => ({ ...problem, file: path.basename(problem.file) }))
}
