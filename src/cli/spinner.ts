// A progress spinner on stderr. ora takes ~40 ms to import, so it is loaded only when a spinner will be
// shown; otherwise the command gets one that does nothing, as a silent or never-started ora would.
import type { Options } from 'ora'

export interface Spinner {
  text: string
  start(text?: string): unknown
  stop(): unknown
}

export async function spinner(show: boolean, options: Options = {}): Promise<Spinner> {
  if (!show) return { text: '', start() {}, stop() {} }
  const { default: ora } = await import('ora')
  return ora({ stream: process.stderr, ...options })
}
