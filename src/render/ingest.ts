// The ingest summary, as a table for people and as JSON for programs.
import Table from 'cli-table3'
import type { IngestSummary } from '../ingest/ingest.js'

export function ingestSummaryJson(s: IngestSummary) {
  return {
    run: s.run,
    sources: s.sources,
    lines: s.lines,
    blank: s.blank,
    stored: s.accepted,
    new_events: s.newEvents,
    duplicates: { in_input: s.duplicatesInInput, already_stored: s.alreadyStored },
    moved: s.moved,
    rejected: s.rejected,
    rejects_file: s.rejectsPath,
    seconds: Number(s.seconds.toFixed(3)),
    events_per_second: Math.round(s.eventsPerSecond),
    interrupted: s.interrupted,
    // Peak resident memory of this process so far, the embedded engine included.
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }
}

export function ingestSummaryTable(s: IngestSummary): string {
  const table = new Table({ colAligns: ['left', 'right'], style: { head: [], border: [], compact: true } })
  const n = (x: number) => x.toLocaleString('en-US')
  table.push(
    ['Lines read', n(s.lines)],
    ['Stored (confirmed)', n(s.accepted)],
    ['  new events', n(s.newEvents)],
    ['  copies within the input', n(s.duplicatesInInput)],
    ['  copies of stored events', n(s.alreadyStored)],
    ['  older copies retired (moved to another month or code)', n(s.moved)],
    ['Rejected', n(s.rejected)],
    ['Blank lines skipped', n(s.blank)],
    ['Time', `${s.seconds.toFixed(2)} s`],
    ['Lines/s', n(Math.round(s.eventsPerSecond))],
  )
  const title = s.interrupted
    ? `Ingest run ${s.run} INTERRUPTED: what is shown as stored is stored; run the same command again to finish`
    : `Ingest run ${s.run}: ${s.sources.join(', ')}`
  return `${title}\n${table.toString()}`
}

/** The first rejections, as `file:line: field: reason`, and where the rest are. */
export function rejectionLines(s: IngestSummary): string[] {
  if (s.rejected === 0) return []
  const lines = s.firstRejects.map((r) => `${r.file}:${r.line}: ${r.field ? `${r.field}: ` : ''}${r.reason}`)
  const more = s.rejected - s.firstRejects.length
  lines.push(
    `${s.rejected} line(s) rejected${more > 0 ? ` (${more} more not shown)` : ''}; all are in ${s.rejectsPath}`,
  )
  return lines
}
