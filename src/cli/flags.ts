// Flags shared by several commands, so each is spelled and documented once.
import * as Flags from '@oclif/core/flags'
import { DEFAULT_DATA_DIR } from '../store/embedded.js'

export const plansFlag = Flags.string({
  description: 'folder of plan YAML files (with optional metrics.yaml and customers.yaml)',
  default: './plans',
  env: 'BILLING_PLANS',
})

export const storeFlags = {
  data: Flags.string({
    description: 'folder of the embedded ClickHouse store (ignored with --url)',
    default: DEFAULT_DATA_DIR,
    env: 'BILLING_DATA',
  }),
  url: Flags.string({
    description: 'ClickHouse server URL, e.g. http://localhost:8123 (default: the embedded store)',
    env: 'CLICKHOUSE_URL',
  }),
  database: Flags.string({
    description: 'database that holds the events',
    default: 'billing',
    env: 'BILLING_DATABASE',
  }),
  retries: Flags.integer({
    description:
      'with --url: how many times a statement is sent again after a network failure, a timeout or a 5xx answer, with exponential backoff (0: never)',
    default: 5,
    min: 0,
    env: 'BILLING_RETRIES',
  }),
  wait: Flags.integer({
    description: 'seconds to wait for another billing process using the same data folder',
    default: 60,
    min: 0,
  }),
}

export interface StoreFlags {
  data: string
  url?: string
  database: string
  wait: number
  retries: number
}
