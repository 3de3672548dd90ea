// Hard bounds on what can be a table at all. Past these a document is refused, not judged:
// they protect storage, the wire and the rule engine from pathological input.
export const LIMITS = Object.freeze({
  /** names, codes, units, short header fields */
  shortText: 1_000,
  /** goals, task content, explanations */
  longText: 20_000,
  indicators: 1_000,
  tasks: 200,
  /** core-indicator list and prior-year rows */
  auxRows: 1_000,
})
