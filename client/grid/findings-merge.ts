// What the page's findings list shows: the local rule engine's findings plus those of the server's that the page
// cannot judge itself. R-CORE-REQUIRED against the library's ★ entries of the table's class needs the library,
// which the browser does not hold, so the server's findings of that rule join the local ones (until the
// server's next check replaces them).
import type { TableFindings } from '../../shared/ydoc/findings-message.ts'
import type { GridFinding } from './findings-map.ts'

/** rules whose server findings the page lists beside its own */
export const SERVER_ONLY_RULES: ReadonlySet<string> = new Set(['R-CORE-REQUIRED'])

const keyOf = (f: { ruleId: string; path: string }) => `${f.ruleId}|${f.path}`

export function withServerOnly(local: GridFinding[], server: TableFindings | null): GridFinding[] {
  if (!server) return local
  const keys = new Set(local.map(keyOf))
  const extra = server.findings.filter((f) => SERVER_ONLY_RULES.has(f.ruleId) && !keys.has(keyOf(f))) as GridFinding[]
  return extra.length ? [...local, ...extra] : local
}
