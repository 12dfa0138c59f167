// The engine's own limit, for the ingest benchmark: the same ClickHouse build (chDB) inserting the
// same NDJSON file into the same events table with one INSERT ... SELECT ... FROM file(), and no
// validation beyond what the engine does itself. Prints the seconds the INSERT took.
// Usage: node dist/bench/engine-limit.js FILE DATA_DIR
import path from 'node:path'
import { openStore } from '../src/store/connect.js'
import { stagingSettings } from '../src/store/event-sql.js'

const [file, dataDir] = process.argv.slice(2)
if (!file || !dataDir) throw new Error('usage: engine-limit FILE DATA_DIR')
const store = await openStore({ dataDir, database: 'billing' })
const started = process.hrtime.bigint()
await store.client.command({
  query: `INSERT INTO ${store.db}.events (customer, transaction_id, code, timestamp, properties, version)
SELECT customer, transaction_id, code, parseDateTime64BestEffortOrZero(timestamp, 3, 'UTC'), properties, 1
FROM file({file:String}, 'JSONEachRow',
          'transaction_id String, customer String, code String, timestamp String, properties Map(String, String)')`,
  query_params: { file: path.resolve(file) },
  // The engine skips the file's few bad lines itself, as a raw load would.
  clickhouse_settings: { ...stagingSettings('JSONEachRow'), input_format_allow_errors_ratio: 0.01 },
})
const seconds = Number(process.hrtime.bigint() - started) / 1e9
await store.close()
console.log(seconds.toFixed(3))
