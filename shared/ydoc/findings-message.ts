// The server's findings on a live table's socket: message type 100 of the y-websocket protocol (ours),
// a JSON body. Sent only to connections that asked for it with `?findings=1` (stock providers log
// "Unable to compute message" on unknown types): on connect when the server has findings, and each
// time the document settles. The grid shows them as the authoritative check (client/grid/findings.ts).
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import type { Finding } from '../rules/index.ts'

export const MSG_FINDINGS = 100

export interface FindingCounts { errors: number; warnings: number; infos: number }

/** Errors, warnings and infos among `findings` (the counts lists and reports show). */
export function countFindings(findings: readonly Finding[]): FindingCounts {
  const counts = { errors: 0, warnings: 0, infos: 0 }
  for (const f of findings) {
    if (f.severity === 'error') counts.errors++
    else if (f.severity === 'warning') counts.warnings++
    else counts.infos++
  }
  return counts
}

/** A table's findings as the server computes (server/tables/findings.ts), serves and publishes them. */
export interface TableFindings {
  findings: Finding[]
  counts: FindingCounts
  /** ISO time of the computation */
  computedAt: string
}

/** Writes a whole findings message (type, then the JSON body). */
export function writeFindingsMessage(e: encoding.Encoder, payload: unknown): void {
  encoding.writeVarUint(e, MSG_FINDINGS)
  encoding.writeVarString(e, JSON.stringify(payload))
}

/** Reads the body of a findings message whose type was already read (a provider's message handler); null when malformed. */
export function readFindingsBody(d: decoding.Decoder): TableFindings | null {
  try {
    const v = JSON.parse(decoding.readVarString(d)) as Partial<TableFindings> | null
    return v && Array.isArray(v.findings) && v.counts && typeof v.computedAt === 'string' ? (v as TableFindings) : null
  } catch {
    return null
  }
}
