// Events stored in a data folder, each (customer, transaction_id) once, as invoices read them: the
// benchmark's own check of what a run left stored. Prints the number.
// Usage: node dist/bench/stored-count.js DATA_DIR
import { openStore } from '../src/store/store.js'

const [dataDir] = process.argv.slice(2)
if (!dataDir) throw new Error('usage: stored-count DATA_DIR')
const store = await openStore({ dataDir, database: 'billing', mode: 'read' })
const [row] = await store.rows<{ n: string }>(
  `SELECT toString(count()) AS n FROM ${store.db}.events FINAL
SETTINGS do_not_merge_across_partitions_select_final = 1`,
)
console.log(row?.n)
await store.close()
