// Where events come from: files (gzip when they end in .gz) or standard input ("-").
import { accessSync, constants, createReadStream, statSync } from 'node:fs'
import { createGunzip } from 'node:zlib'

export function sourceName(source: string): string {
  return source === '-' ? '<stdin>' : source
}

export function openSource(source: string): AsyncIterable<Buffer> {
  const raw = source === '-' ? process.stdin : createReadStream(source, { highWaterMark: 1 << 20 })
  return source.endsWith('.gz') ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw
}

export class SourceError extends Error {}

/** Fails before anything is stored when a file is missing, so a typo never half-runs an ingest. */
export function assertReadable(source: string): void {
  if (source === '-') return
  try {
    accessSync(source, constants.R_OK)
  } catch {
    throw new SourceError(`cannot read ${source}: no such file, or no permission`)
  }
  if (statSync(source).isDirectory()) throw new SourceError(`${source} is a folder, not an events file`)
}

/** Bytes of NDJSON the sources hold, or null when that is not known before reading (stdin, gzip). */
export function plainBytes(sources: string[]): number | null {
  let total = 0
  for (const source of sources) {
    if (source === '-' || source.endsWith('.gz')) return null
    const stat = statSync(source)
    if (!stat.isFile()) return null // a pipe or a device: its size says nothing
    total += stat.size
  }
  return total
}
