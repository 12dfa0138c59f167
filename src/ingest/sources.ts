// Where events come from: files (gzip when they end in .gz) or standard input ("-").
import { createReadStream } from 'node:fs'
import { createGunzip } from 'node:zlib'

export function sourceName(source: string): string {
  return source === '-' ? '<stdin>' : source
}

export function openSource(source: string): AsyncIterable<Buffer> {
  const raw = source === '-' ? process.stdin : createReadStream(source, { highWaterMark: 1 << 20 })
  return source.endsWith('.gz') ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw
}
