// CPU time of the calling thread, from Linux's scheduler statistics: Node 20 has no per-thread CPU
// clock, and a worker's wall time overstates its work whenever the engine's threads preempt it.
import { readFileSync } from 'node:fs'

/** Milliseconds this thread has run on a CPU, or undefined where /proc/thread-self is missing. */
export function threadCpuMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')
    const ns = Number(fields[0])
    return Number.isFinite(ns) ? ns / 1e6 : undefined
  } catch {
    return undefined
  }
}
