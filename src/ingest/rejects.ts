// The rejects file: one JSON object a line for each line that was not stored, with where it was
// and why, so it can be fixed and ingested again.
import { accessSync, constants, createWriteStream, lstatSync, mkdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import type { LineRejection } from './validate-chunk.js'

export interface EventRejectionRecord extends LineRejection {
  file: string
}

export class RejectsFileError extends Error {}

/** Names of this process's own output: written to through the process's stream, never opened. */
const STANDARD_STREAMS: Record<string, () => NodeJS.WritableStream> = {
  '/dev/stderr': () => process.stderr,
  '/dev/stdout': () => process.stdout,
}

export class RejectsFile {
  private stream: NodeJS.WritableStream | undefined
  private failure: Error | undefined

  /** Checks, before anything is stored, that the file can be written; the folder is made if missing. */
  constructor(readonly path: string) {
    if (Object.hasOwn(STANDARD_STREAMS, path)) return
    const kind = fileKind(path)
    // A file left by an earlier run would describe lines of another input. Anything else (a device
    // such as /dev/stderr, a pipe) is written to as it is, never removed.
    if (kind === 'folder') throw new RejectsFileError(`cannot write the rejects file ${path}: it is a folder`)
    if (kind === 'file') rmSync(path, { force: true })
    const dir = dirOf(path)
    try {
      mkdirSync(dir, { recursive: true })
      accessSync(kind === 'none' || kind === 'file' ? dir : path, constants.W_OK)
    } catch (e) {
      throw new RejectsFileError(`cannot write the rejects file ${path}: ${(e as Error).message}`)
    }
  }

  async write(record: EventRejectionRecord): Promise<void> {
    if (this.failure) throw this.failure
    if (!this.stream) {
      // /dev/stderr may be a socket that cannot be opened again (ENXIO): its stream is at hand.
      this.stream = STANDARD_STREAMS[this.path]?.() ?? createWriteStream(this.path, { flags: 'a' })
      this.stream.on('error', (e: Error) => {
        this.failure = new Error(`cannot write the rejects file ${this.path}: ${e.message}`)
      })
    }
    const line = JSON.stringify({
      file: record.file,
      line: record.line,
      field: record.field,
      reason: record.reason,
      excerpt: record.excerpt,
    })
    const stream = this.stream
    if (!stream.write(`${line}\n`)) {
      await new Promise<void>((resolve) => {
        stream.once('drain', resolve)
        stream.once('error', () => resolve())
      })
    }
    if (this.failure) throw this.failure
  }

  async close(): Promise<void> {
    const stream = this.stream
    if (!stream || Object.hasOwn(STANDARD_STREAMS, this.path)) return
    await new Promise<void>((resolve) => stream.end(() => resolve()))
    if (this.failure) throw this.failure
  }
}

function dirOf(file: string): string {
  return path.dirname(path.resolve(file))
}

function fileKind(file: string): 'none' | 'file' | 'folder' | 'other' {
  try {
    const stat = lstatSync(file)
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'folder' : 'other'
  } catch {
    return 'none'
  }
}
