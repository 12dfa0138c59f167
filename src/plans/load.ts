// Reads a plans folder: one plan per YAML file, plus the shared metrics.yaml and customers.yaml.
// Every problem of every file is collected; the catalog holds only what is fully valid.
import { readPlainEntries } from './fast-yaml.js'
import { listFolder } from './folder.js'
import { issueProblems } from './issues.js'
import { PlansInvalidError, type PlanProblem } from './problems.js'
import {
  billableMetric,
  customerEntry,
  metricEntry,
  plainCustomerEntry,
  planFile,
  type PlanDraft,
} from './schema.js'
import type { BillableMetric, Catalog, Charge, Customer, Plan } from './types.js'
import {
  MAX_CUSTOMERS_FILE_BYTES,
  parseYamlText,
  readTextFile,
  readYamlFile,
  type YamlFile,
} from './yaml-file.js'

export { formatProblem, PlansInvalidError, type PlanProblem } from './problems.js'

export interface PlansLoad {
  catalog: Catalog
  problems: PlanProblem[]
}

export interface LoadOptions {
  /**
   * Internal, for tests and the benchmark: false reads customers.yaml with the yaml package even when
   * it keeps to the plain subset of fast-yaml.ts. The catalog and the problems are the same.
   */
  customersFastPath?: boolean
}

/** Reads every file of the folder and reports all their problems; the catalog keeps what is valid. */
export async function loadPlans(dir: string, options: LoadOptions = {}): Promise<PlansLoad> {
  const folder = await listFolder(dir)
  const problems: PlanProblem[] = [...folder.problems]
  const shared = await loadSharedMetrics(folder.metrics, problems)
  const plans: PlanRead[] = []
  for (const file of folder.plans) {
    const read = await readPlan(file, shared, problems)
    if (read) plans.push(read)
  }
  const catalogPlans = uniquePlans(plans, problems)
  const fastPath = options.customersFastPath ?? true
  const customers = await loadCustomers(folder.customers, plans, catalogPlans, problems, fastPath)
  return { catalog: { plans: catalogPlans, customers }, problems: sortProblems(problems) }
}

/** The catalog of a folder without any problem; throws a PlansInvalidError listing them otherwise. */
export async function loadCatalog(dir: string): Promise<Catalog> {
  const { catalog, problems } = await loadPlans(dir)
  if (problems.length > 0) throw new PlansInvalidError(dir, problems)
  return catalog
}

// ---- metrics.yaml ---------------------------------------------------------------------------------

interface SharedMetrics {
  /** Every name metrics.yaml defines, valid or not: a charge naming one is not an unknown name. */
  names: Set<string>
  /** The valid ones. */
  metrics: Map<string, BillableMetric>
}

async function loadSharedMetrics(file: string | undefined, problems: PlanProblem[]): Promise<SharedMetrics> {
  const shared: SharedMetrics = { names: new Set(), metrics: new Map() }
  if (!file) return shared
  const { yaml, problems: readProblems } = await readYamlFile(file, { emptyIsMapping: true })
  problems.push(...readProblems)
  if (!yaml) return shared
  // Entry by entry, so that one wrong metric does not take the valid ones with it.
  for (const [name, raw] of Object.entries(yaml.value as Record<string, unknown>)) {
    shared.names.add(name)
    const parsed = metricEntry.safeParse(raw)
    if (!parsed.success) {
      problems.push(...issueProblems(yaml, parsed.error.issues, [name]))
      continue
    }
    shared.metrics.set(name, billableMetric(name, parsed.data))
  }
  return shared
}

// ---- Plan files -----------------------------------------------------------------------------------

interface PlanRead {
  file: string
  yaml: YamlFile
  /** The plan's code as written, when it is a string, even if the plan has problems. */
  code?: string
  plan?: Plan
}

/** The plan file as read, or undefined if it could not be read as YAML at all. */
async function readPlan(
  file: string,
  shared: SharedMetrics,
  problems: PlanProblem[],
): Promise<PlanRead | undefined> {
  const { yaml, problems: readProblems } = await readYamlFile(file)
  problems.push(...readProblems)
  if (!yaml) return undefined
  const raw = yaml.value as Record<string, unknown>
  const code = typeof raw.code === 'string' ? raw.code : undefined

  const parsed = planFile.safeParse(raw)
  const planProblems = parsed.success ? [] : issueProblems(yaml, parsed.error.issues)
  planProblems.push(...unknownMetricProblems(yaml, raw, shared))
  problems.push(...planProblems)
  if (!parsed.success || planProblems.length > 0) return { file, yaml, code }
  const plan = resolvePlan(file, parsed.data, shared)
  const chargeProblems = plan ? perEventBoundsOnLevels(yaml, plan) : []
  problems.push(...chargeProblems)
  if (chargeProblems.length > 0) return { file, yaml, code }
  return { file, yaml, code, plan }
}

// Per-event bounds price each event's own share of the units. A latest or weighted_sum metric has no
// such share (Lago cannot price them either: its aggregations have no per-event values), so a plan
// asking for it is refused rather than billed by a rule of our own.
function perEventBoundsOnLevels(yaml: YamlFile, plan: Plan): PlanProblem[] {
  const problems: PlanProblem[] = []
  for (const [index, charge] of plan.charges.entries()) {
    if (charge.model !== 'percentage') continue
    const { aggregation, name } = charge.metric
    if (aggregation !== 'latest' && aggregation !== 'weighted_sum') continue
    if (charge.perEventMin === undefined && charge.perEventMax === undefined) continue
    const key = charge.perEventMin !== undefined ? 'per_event_min_amount' : 'per_event_max_amount'
    problems.push(
      yaml.problem(
        ['charges', index, key],
        `per-event bounds need each event's own share of the units: metric ${name} (${aggregation}) has none; expected a count, sum, unique_count or max metric`,
        'key',
      ),
    )
  }
  return problems
}

// Checked on the document itself, so that a charge naming a missing metric is reported even when
// the plan has other problems.
function unknownMetricProblems(
  yaml: YamlFile,
  raw: Record<string, unknown>,
  shared: SharedMetrics,
): PlanProblem[] {
  const local = isMapping(raw.metrics) ? raw.metrics : {}
  const charges = Array.isArray(raw.charges) ? (raw.charges as unknown[]) : []
  const known = [...new Set([...Object.keys(local), ...shared.names])].sort()
  const problems: PlanProblem[] = []
  for (const [index, charge] of charges.entries()) {
    if (!isMapping(charge) || typeof charge.metric !== 'string') continue
    if (Object.hasOwn(local, charge.metric) || shared.names.has(charge.metric)) continue
    const names = known.length > 0 ? known.join(', ') : 'none are defined'
    problems.push(
      yaml.problem(
        ['charges', index, 'metric'],
        `expected the name of a metric under metrics: or in metrics.yaml (${names}), got ${JSON.stringify(charge.metric)}`,
      ),
    )
  }
  return problems
}

/** The plan with its charges' metrics resolved, plan-local first; undefined if a shared one is invalid. */
function resolvePlan(file: string, draft: PlanDraft, shared: SharedMetrics): Plan | undefined {
  const charges: Charge[] = []
  for (const { metric: name, ...charge } of draft.charges) {
    const metric = draft.metrics.get(name) ?? shared.metrics.get(name)
    // A metrics.yaml entry with problems: they are reported there.
    if (!metric) return undefined
    charges.push({ metric, ...charge })
  }
  const { metrics: _metrics, ...plan } = draft
  return { ...plan, charges, file }
}

/** Valid plans by code; a code used by two files is a problem in each, and neither is in the catalog. */
function uniquePlans(plans: readonly PlanRead[], problems: PlanProblem[]): Map<string, Plan> {
  const filesByCode = new Map<string, PlanRead[]>()
  for (const read of plans) {
    if (read.code === undefined) continue
    filesByCode.set(read.code, [...(filesByCode.get(read.code) ?? []), read])
  }
  const catalog = new Map<string, Plan>()
  for (const [code, reads] of filesByCode) {
    if (reads.length === 1) {
      const plan = reads[0]?.plan
      if (plan) catalog.set(code, plan)
      continue
    }
    for (const read of reads) {
      const others = reads.filter((other) => other !== read).map((other) => other.file)
      problems.push(
        read.yaml.problem(['code'], `plan code ${JSON.stringify(code)} is also used by ${others.join(', ')}`),
      )
    }
  }
  return catalog
}

// ---- customers.yaml -------------------------------------------------------------------------------

async function loadCustomers(
  file: string | undefined,
  plans: readonly PlanRead[],
  catalogPlans: ReadonlyMap<string, Plan>,
  problems: PlanProblem[],
  fastPath: boolean,
): Promise<Map<string, Customer>> {
  if (!file) return new Map()
  const read = await readTextFile(file, MAX_CUSTOMERS_FILE_BYTES)
  problems.push(...read.problems)
  if (read.text === undefined) return new Map()
  // A plan whose file has problems still exists: its customers are not reported a second time.
  const codes = new Set(plans.flatMap((plan) => (plan.code === undefined ? [] : [plan.code])))
  const fast = fastPath ? plainCustomers(read.text, codes, catalogPlans) : undefined
  return fast ?? parseCustomers(file, read.text, codes, catalogPlans, problems)
}

/**
 * The customers of a customers.yaml in the plain subset (fast-yaml.ts) whose every entry is valid;
 * undefined for any other, which parseCustomers reads again to report its problems.
 */
function plainCustomers(
  text: string,
  codes: ReadonlySet<string>,
  catalogPlans: ReadonlyMap<string, Plan>,
): Map<string, Customer> | undefined {
  const entries = readPlainEntries(text)
  if (!entries) return undefined
  const customers = new Map<string, Customer>()
  for (const [id, raw] of entries) {
    const entry = plainCustomerEntry(raw)
    if (!entry || !codes.has(entry.plan)) return undefined
    if (catalogPlans.has(entry.plan)) customers.set(id, { id, ...entry })
  }
  return customers
}

/** customers.yaml read by the yaml package, every problem of every entry reported at its place. */
function parseCustomers(
  file: string,
  text: string,
  codes: ReadonlySet<string>,
  catalogPlans: ReadonlyMap<string, Plan>,
  problems: PlanProblem[],
): Map<string, Customer> {
  const customers = new Map<string, Customer>()
  const { yaml, problems: readProblems } = parseYamlText(file, text, { emptyIsMapping: true })
  problems.push(...readProblems)
  if (!yaml) return customers

  const codeList = codes.size > 0 ? [...codes].sort().join(', ') : 'none'
  for (const [id, raw] of Object.entries(yaml.value as Record<string, unknown>)) {
    const parsed = customerEntry.safeParse(raw)
    if (!parsed.success) problems.push(...issueProblems(yaml, parsed.error.issues, [id]))
    const plan = isMapping(raw) ? raw.plan : undefined
    if (typeof plan === 'string' && !codes.has(plan)) {
      const message = `expected the code of a plan in this folder (${codeList}), got ${JSON.stringify(plan)}`
      problems.push(yaml.problem([id, 'plan'], message))
      continue
    }
    if (parsed.success && catalogPlans.has(parsed.data.plan)) customers.set(id, { id, ...parsed.data })
  }
  return customers
}

// ---- Helpers --------------------------------------------------------------------------------------

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function sortProblems(problems: PlanProblem[]): PlanProblem[] {
  return problems.sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.col - b.col,
  )
}
