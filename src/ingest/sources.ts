// Where events come from: files (gzip when they end in .gz) or standard input ("-").
import { accessSync, constants, createReadStream, statSync } from 'node:fs'
import { pipeline, type Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'

export function sourceName(source: string): string {
  return source === '-' ? '<stdin>' : source
}

export class SourceError extends Error {}

/**
 * The source's bytes. A read error (of the file, or of a gzip stream that is not gzip) ends the
 * iteration with a SourceError naming the source; `signal` ends it early, without error, even while
 * a read waits (standard input with nothing to read).
 */
export async function* readSource(source: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const stream = openSource(source)
  const stop = () => stream.destroy()
  signal?.addEventListener('abort', stop, { once: true })
  try {
    for await (const piece of stream) yield piece as Buffer
  } catch (e) {
    if (signal?.aborted) return
    throw new SourceError(`cannot read ${sourceName(source)}: ${(e as Error).message}`, { cause: e })
  } finally {
    signal?.removeEventListener('abort', stop)
    if (source !== '-') stream.destroy()
  }
}

function openSource(source: string): Readable {
  const raw = source === '-' ? process.stdin : createReadStream(source, { highWaterMark: 1 << 20 })
  if (!source.endsWith('.gz')) return raw
  const gunzip = createGunzip({ chunkSize: 1 << 20 })
  // pipe() would leave the gunzip stream waiting forever when the file fails to read.
  pipeline(raw, gunzip, (error) => {
    if (error) gunzip.destroy(error)
  })
  return gunzip
}

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
