// The rule of tier bounds, shared by graduated, volume and graduated_percentage charges: bounds
// (`up_to`) climb strictly from 0, and only the last tier is open, so that every unit has exactly one price.
// How these bounds map to Lago's "0-100, 101-200" and adjacent layouts: see src/pricing/tiers.ts.
import { Decimal } from '../money/decimal.js'

/** A tier's upper bound as far as validation knows it: a number, none (open), or unreadable. */
export type TierBound = Decimal | 'open' | 'unknown'

/** A broken rule, always about the `up_to` of the tier at `index`. */
export interface TierBoundProblem {
  index: number
  message: string
}

export function tierBoundProblems(bounds: readonly TierBound[]): TierBoundProblem[] {
  const problems: TierBoundProblem[] = []
  const last = bounds.length - 1
  let previous: { bound: Decimal; index: number } | undefined
  for (const [index, bound] of bounds.entries()) {
    if (bound === 'unknown') continue
    if (bound === 'open') {
      if (index < last) {
        problems.push({
          index,
          message: `missing: expected up_to, as only the last tier may be open (this is tier ${index + 1} of ${bounds.length})`,
        })
      }
      continue
    }
    if (previous && bound.lte(previous.bound)) {
      problems.push({
        index,
        message: `expected up_to greater than ${previous.bound.toFixed()} (the up_to of tiers[${previous.index}]), got ${bound.toFixed()}`,
      })
    } else if (!previous && bound.lte(0)) {
      problems.push({ index, message: `expected up_to greater than 0, got ${bound.toFixed()}` })
    }
    if (index === last) {
      problems.push({
        index,
        message:
          'expected no up_to: the last tier must be open so that every unit has a price (add a tier without up_to)',
      })
    }
    if (!previous || bound.gt(previous.bound)) previous = { bound, index }
  }
  return problems
}
