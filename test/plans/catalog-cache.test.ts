// The catalog cache: a folder whose bytes have not changed since it last loaded without problems is
// read back from the catalog it gave then, equal to it in every value, type and key order; any change
// of a file, or any problem, goes back to the files.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { writePlansFolder } from '../../bench/plans-folder.js'
import { Decimal } from '../../src/money/decimal.js'
import { defaultCacheDir, loadPlansCached } from '../../src/plans/catalog-cache.js'
import { loadPlans } from '../../src/plans/load.js'
import { examplePlans } from './example.js'
import { plansFolder } from './folder.js'

const shippedPlans = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../plans')

function cacheDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'billing-cache-'))
}

/**
 * Every value with its type: a Decimal as its exact text, a Map as its entries, an object as its
 * [key, value] pairs in order. Two catalogs with the same typed() are the same to every reader.
 */
function typed(value: unknown): unknown {
  if (Decimal.isDecimal(value)) return { decimal: value.isZero() && value.isNeg() ? '-0' : value.toString() }
  if (value instanceof Map) return { map: [...value].map(([k, v]) => [k, typed(v)]) }
  if (Array.isArray(value)) return value.map(typed)
  if (typeof value === 'object' && value !== null)
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typed(v)])
  return value
}

function entries(dir: string): string[] {
  return readdirSync(path.join(dir, 'catalogs'))
}

describe('a folder loaded twice', () => {
  it('is read from its files, then back from the cache, the same catalog', async () => {
    const dir = plansFolder(examplePlans)
    const cache = cacheDir()
    const first = await loadPlansCached(dir, cache)
    const second = await loadPlansCached(dir, cache)
    expect(first.problems).toEqual([])
    expect([first.fromCache, second.fromCache]).toEqual([false, true])
    expect(typed(second.catalog)).toStrictEqual(typed(first.catalog))
    expect(typed(second.catalog)).toStrictEqual(typed((await loadPlans(dir)).catalog))
    expect(second.catalog.plans.get('pro')?.fixedFee).toBeInstanceOf(Decimal)
    expect(entries(cache)).toHaveLength(1)
  })

  it('keeps 10,000 customers with their names and tax rates', async () => {
    const dir = plansFolder({})
    writePlansFolder(dir, shippedPlans, 10_000)
    const cache = cacheDir()
    const fresh = await loadPlansCached(dir, cache)
    const cached = await loadPlansCached(dir, cache)
    expect(cached.fromCache).toBe(true)
    expect(cached.catalog.customers.size).toBe(10_000)
    expect(typed(cached.catalog)).toStrictEqual(typed(fresh.catalog))
    // Customers without a name have no name key at all, as the loader gives them.
    const plain = plansFolder({ ...examplePlans, 'customers.yaml': 'c1: { plan: pro }\n' })
    await loadPlansCached(plain, cache)
    const back = await loadPlansCached(plain, cache)
    expect(back.fromCache).toBe(true)
    expect(Object.keys(back.catalog.customers.get('c1')!)).toEqual(['id', 'plan', 'taxRate'])
  })
})

describe('one customer asked for', () => {
  // Ids that JSON writes escaped, and ids that start like another one, listed before it.
  const ids = ['c10', 'c1', 'say "hi"', 'back\\slash', 'naïve ☃', 'x,y', '[c1]', '']
  const customersYaml = ids.map((id, i) => `${JSON.stringify(id)}: { plan: pro, name: N${i} }\n`).join('')

  it("is the loader's customer, found before the others are read, and the rest keep their order", async () => {
    const dir = plansFolder({ ...examplePlans, 'customers.yaml': customersYaml })
    const cache = cacheDir()
    const fresh = await loadPlansCached(dir, cache)
    expect([...fresh.catalog.customers.keys()]).toEqual(ids)
    const cached = await loadPlansCached(dir, cache)
    expect(cached.fromCache).toBe(true)
    for (const id of [...ids].reverse()) {
      expect(typed(cached.catalog.customers.get(id))).toStrictEqual(typed(fresh.catalog.customers.get(id)))
      expect(cached.catalog.customers.has(id)).toBe(true)
    }
    for (const missing of ['c', 'c100', '"c1"', 'N0', 'pro']) {
      expect(cached.catalog.customers.get(missing)).toBeUndefined()
      expect(cached.catalog.customers.has(missing)).toBe(false)
    }
    expect(cached.catalog.customers.size).toBe(ids.length)
    expect(typed(cached.catalog)).toStrictEqual(typed(fresh.catalog))
    expect(cached.catalog.customers.get('say "hi"')?.name).toBe('N2')
  })
})

describe('a folder that changed', () => {
  it('is read from its files again when one byte of a file changes, the size kept', async () => {
    const dir = plansFolder(examplePlans)
    const cache = cacheDir()
    await loadPlansCached(dir, cache)
    const file = path.join(dir, 'customers.yaml')
    const text = readFileSync(file, 'utf8')
    expect(text).toContain('tax_rate: "0.20"')
    writeFileSync(file, text.replace('tax_rate: "0.20"', 'tax_rate: "0.21"'))
    const again = await loadPlansCached(dir, cache)
    expect(again.fromCache).toBe(false)
    expect(typed(again.catalog)).toStrictEqual(typed((await loadPlans(dir)).catalog))
    expect([...again.catalog.customers.values()].map((c) => c.taxRate.toString())).toContain('0.21')
    // One entry per folder: the new catalog replaced the old one.
    expect(entries(cache)).toHaveLength(1)
  })

  it('is read again when a plan file is added or removed', async () => {
    const dir = plansFolder(examplePlans)
    const cache = cacheDir()
    const before = await loadPlansCached(dir, cache)
    writeFileSync(path.join(dir, 'extra.yaml'), 'code: extra\ncurrency: EUR\ninterval: monthly\n')
    const added = await loadPlansCached(dir, cache)
    expect(added.fromCache).toBe(false)
    expect([...added.catalog.plans.keys()].sort()).toEqual([...before.catalog.plans.keys(), 'extra'].sort())
  })

  it('reports a new problem at its place instead of the catalog cached before it', async () => {
    const dir = plansFolder(examplePlans)
    const cache = cacheDir()
    await loadPlansCached(dir, cache)
    const file = path.join(dir, 'pro.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('currency: USD', 'currency: usd'))
    for (let run = 0; run < 2; run++) {
      const broken = await loadPlansCached(dir, cache)
      expect(broken.fromCache).toBe(false)
      expect(broken.problems.map((p) => [path.basename(p.file), p.line, p.path])).toEqual([
        ['pro.yaml', 3, 'currency'],
      ])
    }
  })

  it('keeps no catalog of a folder edited while it was read', async () => {
    const dir = plansFolder(examplePlans)
    const cache = cacheDir()
    const file = path.join(dir, 'customers.yaml')
    const original = readFileSync(file, 'utf8')
    const edited = original.replace('tax_rate: "0.20"', 'tax_rate: "0.21"')
    // The key is taken from the original bytes, the loader reads the edited ones, and the original
    // ones come back before the next run.
    await loadPlansCached(dir, cache, async (d) => {
      writeFileSync(file, edited)
      return loadPlans(d)
    })
    writeFileSync(file, original)
    const again = await loadPlansCached(dir, cache)
    expect(again.fromCache).toBe(false)
    expect([...again.catalog.customers.values()].map((c) => c.taxRate.toString())).toContain('0.2')
  })
})

describe('the cache itself', () => {
  it('is the same content at another path, but each folder keeps its own files in its plans', async () => {
    const dir = plansFolder(examplePlans)
    const copy = mkdtempSync(path.join(tmpdir(), 'billing-plans-copy-'))
    cpSync(dir, copy, { recursive: true })
    const cache = cacheDir()
    await loadPlansCached(dir, cache)
    const other = await loadPlansCached(copy, cache)
    expect(other.fromCache).toBe(false)
    expect(other.catalog.plans.get('pro')?.file).toBe(path.join(copy, 'pro.yaml'))
    expect((await loadPlansCached(dir, cache)).catalog.plans.get('pro')?.file).toBe(
      path.join(dir, 'pro.yaml'),
    )
    // The same folder spelled relative to the current directory: its plans say so, as loadPlans does.
    const relative = path.relative(process.cwd(), dir)
    const spelled = await loadPlansCached(relative, cache)
    expect(spelled.catalog.plans.get('pro')?.file).toBe(path.join(relative, 'pro.yaml'))
    expect((await loadPlansCached(relative, cache)).fromCache).toBe(true)
  })

  it('loads the folder when its entry is damaged, and writes a good one', async () => {
    const dir = plansFolder(examplePlans)
    const cache = cacheDir()
    await loadPlansCached(dir, cache)
    const file = path.join(cache, 'catalogs', entries(cache)[0]!)
    const [key, body] = readFileSync(file, 'utf8').split('\n')
    for (const damaged of [`${key}\n${body!.slice(0, body!.length / 2)}`, `${key}\n{}`, '', 'x']) {
      writeFileSync(file, damaged)
      const loaded = await loadPlansCached(dir, cache)
      expect(loaded.fromCache).toBe(false)
      expect(typed(loaded.catalog)).toStrictEqual(typed((await loadPlans(dir)).catalog))
      expect((await loadPlansCached(dir, cache)).fromCache).toBe(true)
    }
  })

  it('is no error when it cannot be written: the folder loads from its files', async () => {
    const dir = plansFolder(examplePlans)
    const blocked = path.join(cacheDir(), 'a-file')
    writeFileSync(blocked, '')
    for (let run = 0; run < 2; run++) {
      const loaded = await loadPlansCached(dir, blocked)
      expect(loaded.fromCache).toBe(false)
      expect(loaded.catalog.plans.size).toBe(2)
    }
    const off = await loadPlansCached(dir, undefined)
    expect(off.fromCache).toBe(false)
  })

  it('lives in BILLING_CACHE_DIR, else the XDG cache folder, and BILLING_NO_CACHE turns it off', () => {
    expect(defaultCacheDir({ BILLING_CACHE_DIR: '/c' })).toBe('/c')
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(path.join('/x', 'billing'))
    expect(defaultCacheDir({ BILLING_CACHE_DIR: '/c', BILLING_NO_CACHE: '1' })).toBeUndefined()
    expect(defaultCacheDir({ BILLING_CACHE_DIR: '/c', BILLING_NO_CACHE: '0' })).toBe('/c')
  })
})
