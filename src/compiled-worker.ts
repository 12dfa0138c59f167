// The compiled worker modules that piscina loads. Workers run plain JavaScript, so code running from
// TypeScript sources (the tests) uses the build's copy in dist/.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** `relative`: the worker's path under src/ without extension, e.g. `ingest/worker`. */
export function compiledWorker(relative: string): string {
  const src = path.dirname(fileURLToPath(import.meta.url))
  const sibling = path.join(src, `${relative}.js`)
  if (existsSync(sibling)) return sibling
  const built = path.join(src, '..', 'dist', 'src', `${relative}.js`)
  if (existsSync(built)) return built
  throw new Error(
    `the worker ${relative} is not built: run "npm run build" (looked for ${sibling} and ${built})`,
  )
}
