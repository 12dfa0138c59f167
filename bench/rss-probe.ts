// Loaded with `node --import` into a CLI process the benchmarks start: writes the process's peak
// resident memory (the embedded engine included), in kB, to the file BILLING_RSS_FILE names.
import { writeFileSync } from 'node:fs'

const file = process.env.BILLING_RSS_FILE
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)))
