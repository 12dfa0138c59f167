// The validation stage as a pool of worker threads whose results come back in the order their tasks
// went in: the batches after it keep the order of the lines, which decides which copy of an event
// wins (see src/store/event-versions.ts).
import { Piscina } from 'piscina'
import { compiledWorker } from '../compiled-worker.js'
import type { StageResult, StageTask } from './worker.js'

/**
 * The threads load their ES module with `import()`, never with `require()`. Piscina tries `require`
 * first, and Node 20 loads an ES module that way synchronously; a thread stopped in the middle of that
 * (a pool closed while a thread still starts, as a short ingest does) dies of a V8 fatal error. With the
 * embedded engine in the process, its fatal-signal handler then holds the dying thread: the pool's
 * close never returns and the engine refuses every later statement ("shutting down due to a fatal
 * error"). Measured here: a pool opened and closed 500 times beside the engine hung after 70 and 470
 * rounds with `require`, and never with `import()`. The flag goes in the threads' NODE_OPTIONS, not
 * their execArgv: an explicit execArgv is checked, and refuses the process's own flags such as
 * `--max-old-space-size`, which the threads otherwise inherit. Node versions without the flag load by
 * `import()` anyway.
 */
const NO_REQUIRE_ESM = '--no-experimental-require-module'

function workerEnv(): NodeJS.ProcessEnv {
  if (!process.allowedNodeEnvironmentFlags.has(NO_REQUIRE_ESM)) return process.env
  const options = process.env.NODE_OPTIONS ?? ''
  if (options.includes(NO_REQUIRE_ESM)) return process.env
  return { ...process.env, NODE_OPTIONS: `${options} ${NO_REQUIRE_ESM}`.trim() }
}

export interface Settled<M> {
  task: StageTask
  meta: M
  result: StageResult
}

export class StagePool<M = undefined> {
  private readonly pool: Piscina<StageTask, StageResult>
  /** Tasks in flight, oldest first. Each is settled (its rejection handled) as soon as it is queued. */
  private readonly queue: { task: StageTask; meta: M; done: Promise<StageResult | Error> }[] = []

  constructor(readonly workers: number) {
    this.pool = new Piscina<StageTask, StageResult>({
      filename: compiledWorker('ingest/worker'),
      minThreads: workers,
      maxThreads: workers,
      env: workerEnv(),
    })
  }

  /** Tasks handed to the pool whose results have not been taken yet. */
  get inFlight(): number {
    return this.queue.length
  }

  /**
   * Starts a task; a chunk's bytes are handed to the worker without a copy. `onDone` is told as soon
   * as the task's result is ready, before its turn to be taken comes.
   */
  run(task: StageTask, meta: M, onDone?: (result: StageResult) => void): void {
    const transferList = 'chunk' in task.source ? [task.source.chunk.bytes.buffer as ArrayBuffer] : []
    // A failed task is a value here, so that no rejection goes unhandled while it waits its turn.
    const done = this.pool.run(task, { transferList }).then(
      (r) => {
        onDone?.(r)
        return r
      },
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    )
    this.queue.push({ task, meta, done })
  }

  /** The oldest task's result once it is ready; throws the task's error if it failed. */
  async next(): Promise<Settled<M>> {
    const head = this.queue.shift()
    if (!head) throw new Error('no task in flight')
    const result = await head.done
    if (result instanceof Error) throw result
    return { task: head.task, meta: head.meta, result }
  }

  /** Waits for the tasks still running (their results are dropped), then stops the threads. */
  async close(): Promise<StageTask[]> {
    const left = this.queue.splice(0)
    await Promise.all(left.map((q) => q.done))
    await this.pool.destroy()
    return left.map((q) => q.task)
  }
}
