// Events stored in a data folder, each (customer, transaction_id) once: the check for runs of
// `billing ingest --no-count`, which do not count them themselves. Prints the number.
// Usage: node dist/bench/stored-count.js DATA_DIR
import { countStoredEvents } from '../src/ingest/runs.js'
import { openStore } from '../src/store/connect.js'

const [dataDir] = process.argv.slice(2)
if (!dataDir) throw new Error('usage: stored-count DATA_DIR')
const store = await openStore({ dataDir, database: 'billing' })
console.log((await countStoredEvents(store)).events)
await store.close()
