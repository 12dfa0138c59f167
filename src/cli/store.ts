// Opens the store the flags name; messages about waiting go to stderr, never into --json output.
import { openStore, type Store } from '../store/connect.js'

export interface StoreFlags {
  data: string
  url?: string
  database: string
  wait?: number
  retries?: number
}

export function storeFromFlags(flags: StoreFlags): Promise<Store> {
  return openStore({
    url: flags.url,
    dataDir: flags.data,
    database: flags.database,
    lockWaitMs: (flags.wait ?? 60) * 1000,
    retry: flags.retries === undefined ? undefined : { attempts: flags.retries + 1 },
    onWait: (message) => process.stderr.write(`${message}…\n`),
  })
}
