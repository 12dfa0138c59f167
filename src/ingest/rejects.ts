// The rejects file: one JSON object a line for each line that was not stored, with where it was
// and why, so it can be fixed and ingested again.
import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs'
import path from 'node:path'
import type { LineRejection } from './validate-chunk.js'

export interface EventRejectionRecord extends LineRejection {
  file: string
}

export class RejectsFile {
  private stream: WriteStream | undefined

  constructor(readonly path: string) {
    // A file left by an earlier run would describe lines of another input.
    rmSync(path, { force: true })
  }

  async write(record: EventRejectionRecord): Promise<void> {
    if (!this.stream) {
      mkdirSync(path.dirname(this.path), { recursive: true })
      this.stream = createWriteStream(this.path)
    }
    const line = JSON.stringify({
      file: record.file,
      line: record.line,
      field: record.field,
      reason: record.reason,
      excerpt: record.excerpt,
    })
    if (!this.stream.write(`${line}\n`))
      await new Promise<void>((resolve) => this.stream!.once('drain', () => resolve()))
  }

  async close(): Promise<void> {
    const stream = this.stream
    if (!stream) return
    await new Promise<void>((resolve, reject) =>
      stream.end((e?: Error | null) => (e ? reject(e) : resolve())),
    )
  }
}
