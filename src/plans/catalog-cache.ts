// The catalog of a plans folder, kept between runs. Loading a folder with 10,000 customers costs a
// command about 0.35 s before its first query (importing the schema library and the YAML parser, then
// parsing and validating every file); a folder whose bytes have not changed since it last loaded
// without problems is read back from the catalog it gave then instead.
//
// The key is the content, not the clock: the sha256 of every file the loader reads, each with its path
// as given (plans keep the path of their file), and of the source of the code that turns files into a
// catalog (src/plans and src/money). One file per folder path, replaced when the key changes. A folder
// with problems is never cached: they are reported from the files, with their file:line:col, each time.
// A cache that cannot be read or written is no error: the folder is loaded as if there were none.
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeCatalog, encodeCatalog } from './catalog-codec.js'
import { listFolder } from './folder.js'
import type { PlansLoad } from './load.js'

/** Bump when the encoding changes in a way the code fingerprint would not show. */
const FORMAT = 'billing-catalog-2'

export interface CachedLoad extends PlansLoad {
  /** True when the catalog was read back from the cache, not from the folder's files. */
  fromCache: boolean
}

/**
 * Where catalogs are kept: $BILLING_CACHE_DIR, else $XDG_CACHE_HOME/billing, else ~/.cache/billing;
 * undefined (no cache) when BILLING_NO_CACHE is set to anything but "" or "0".
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.BILLING_NO_CACHE !== undefined && env.BILLING_NO_CACHE !== '' && env.BILLING_NO_CACHE !== '0')
    return undefined
  if (env.BILLING_CACHE_DIR) return env.BILLING_CACHE_DIR
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'billing')
}

/** Where a folder's catalog is kept, under the key of its bytes now. */
interface Entry {
  file: string
  key: string
}

/** loadPlans(dir), or the catalog it gave for the same bytes, kept under cacheDir. */
export async function loadPlansCached(
  dir: string,
  cacheDir = defaultCacheDir(),
  /** Internal, for tests: what reads the folder when the cache has no catalog for it. */
  load: (dir: string) => Promise<PlansLoad> = async (d) => (await import('./load.js')).loadPlans(d),
): Promise<CachedLoad> {
  const entry = cacheDir === undefined ? undefined : await entryOf(cacheDir, dir)
  const cached = entry && (await readEntry(entry))
  if (cached) return { catalog: cached, problems: [], fromCache: true }
  const loaded = await load(dir)
  // Kept only if the files are still the bytes of the key: one edited while the loader read it must
  // not leave a catalog of its new bytes under the key of its old ones.
  if (entry && loaded.problems.length === 0 && (await folderKey(dir)) === entry.key)
    await writeEntry(entry, encodeCatalog(loaded.catalog))
  return { ...loaded, fromCache: false }
}

async function entryOf(cacheDir: string, dir: string): Promise<Entry | undefined> {
  const key = await folderKey(dir)
  if (key === undefined) return undefined
  const name = createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 32)
  return { file: path.join(cacheDir, 'catalogs', `${name}.json`), key }
}

/** The content key of the folder, or undefined when it cannot be read (the loader then says why). */
async function folderKey(dir: string): Promise<string | undefined> {
  try {
    const folder = await listFolder(dir)
    if (folder.problems.length > 0) return undefined
    const files = [folder.metrics, folder.customers, ...folder.plans].filter((f) => f !== undefined)
    const hash = createHash('sha256').update(`${FORMAT}\0${await codeFingerprint()}\0`)
    // Each file by its path as the loader gets it: plans keep that path, so the spelling is in the key.
    for (const file of files) {
      const bytes = await readFile(file)
      hash.update(`${file}\0${bytes.length}\0`).update(bytes)
    }
    return hash.digest('hex')
  } catch {
    return undefined
  }
}

let fingerprint: Promise<string> | undefined

/** The source of the modules that build a catalog: another build of them is another key. */
function codeFingerprint(): Promise<string> {
  fingerprint ??= (async () => {
    const hash = createHash('sha256')
    const here = path.dirname(fileURLToPath(import.meta.url))
    for (const dir of [here, path.join(here, '..', 'money')]) {
      for (const name of (await readdir(dir)).sort()) {
        if (!/\.(js|ts)$/.test(name)) continue
        hash.update(`${name}\0`).update(await readFile(path.join(dir, name)))
      }
    }
    return hash.digest('hex')
  })()
  return fingerprint
}

async function readEntry({ file, key }: Entry): Promise<PlansLoad['catalog'] | undefined> {
  let text
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  // The key on the first line: a stale entry is told without parsing the catalog.
  const newline = text.indexOf('\n')
  if (newline < 0 || text.slice(0, newline) !== key) return undefined
  try {
    return decodeCatalog(text.slice(newline + 1))
  } catch {
    return undefined
  }
}

async function writeEntry({ file, key }: Entry, catalog: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  try {
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(temporary, `${key}\n${catalog}`)
    // Atomic: a concurrent reader sees the old entry or the new one, never half of one.
    await rename(temporary, file)
  } catch {
    await unlink(temporary).catch(() => undefined)
  }
}
