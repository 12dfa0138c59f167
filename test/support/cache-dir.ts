// Vitest global setup: every test, and every CLI process a test starts, keeps its catalog cache in a
// temporary folder of this run instead of the user's ~/.cache, removed at the end.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'billing-test-cache-'))
  process.env.BILLING_CACHE_DIR = dir
  return () => rmSync(dir, { recursive: true, force: true })
}
