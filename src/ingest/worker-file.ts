// The compiled worker module that piscina loads. Workers run plain JavaScript, so code running from
// TypeScript sources (the tests) uses the build's copy in dist/.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export function workerFile(): string {
  const here = fileURLToPath(import.meta.url)
  const sibling = here.replace(/worker-file\.[jt]s$/, 'worker.js')
  if (existsSync(sibling)) return sibling
  const built = sibling.replace(/([\\/])src([\\/]ingest[\\/]worker\.js)$/, '$1dist$1src$2')
  if (existsSync(built)) return built
  throw new Error(`the ingest worker is not built: run "npm run build" (looked for ${sibling} and ${built})`)
}
