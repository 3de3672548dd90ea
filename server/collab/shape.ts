// What a structural checker of a room's document looks like, and the helper that tells it which parts
// of the document one transaction touched (from Yjs's `transaction.changed`), so it re-checks only those.
import type { Role } from '../../shared/permissions.ts'
import * as Y from 'yjs'
import type { ParseProblem } from '../../shared/model/index.ts'
import { ROW_LISTS } from '../../shared/ydoc/index.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Yjs types are generic over their event type
export type AnyType = Y.AbstractType<any>

export interface ShapeContext {
  /** the user whose update is checked (authorship rules of the comments room) */
  actorId: string
  /** the user's role, when known (comments: only reviewers resolve threads) */
  role?: Role
}

export interface ShapeChecker {
  /** the only root names the document may use */
  readonly roots: readonly string[]
  /** whole-document check: used while the document did not parse before (empty or legacy) */
  full(doc: Y.Doc, ctx?: ShapeContext): ParseProblem[]
  /** check of what `tr` changed; assumes the document passed `full` before `tr` */
  incremental(doc: Y.Doc, tr: Y.Transaction, ctx: ShapeContext): ParseProblem[]
}

/** A changed type, located: `chain` runs from the root's child down to the changed type. */
export interface ChangedPath {
  root: string
  chain: AnyType[]
  keys: Set<string | null>
}

/**
 * Every live type `tr` changed, with its path from its root.
 * WATCH OUT: Yjs does not list types created inside `tr` (only their existing parent), and skips
 * types already deleted; checkers therefore validate new types through their parent.
 */
export function changedPaths(doc: Y.Doc, tr: Y.Transaction): ChangedPath[] {
  const out: ChangedPath[] = []
  for (const [type, keys] of tr.changed) {
    const chain: AnyType[] = []
    let t: AnyType = type as AnyType
    let dead = false
    while (t._item !== null) {
      if (t._item.deleted) dead = true
      chain.push(t)
      t = t._item.parent as AnyType
    }
    if (dead) continue
    chain.reverse()
    out.push({ root: rootName(doc, t), chain, keys: keys as Set<string | null> })
  }
  return out
}

function rootName(doc: Y.Doc, root: AnyType): string {
  for (const [name, type] of doc.share) if (type === root) return name
  return '?'
}

/** The key under which `type` sits in its parent map (null inside an array). */
export function keyOf(type: AnyType): string | null {
  return type._item?.parentSub ?? null
}

/** True when `type` was created by `tr` (its item's clock is past the state before `tr`). */
export function isNewIn(type: AnyType, tr: Y.Transaction): boolean {
  const item = type._item
  if (!item) return false
  return item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0)
}

/** Changes of the table document grouped into what has to be re-validated. */
export interface TableUnits {
  foreignRoot: string | null
  rootKeys: Set<string>
  /** row lists whose membership changed (insert/delete of rows) */
  lists: Set<string>
  /** existing rows whose fields (or nested text) changed, per list, with the row keys touched */
  rows: Map<string, Map<Y.Map<unknown>, Set<string>>>
}

export function changedUnits(tr: Y.Transaction, expectedRoot: string): TableUnits {
  const units: TableUnits = { foreignRoot: null, rootKeys: new Set(), lists: new Set(), rows: new Map() }
  for (const p of changedPaths(tr.doc, tr)) {
    if (p.root !== expectedRoot) {
      units.foreignRoot = p.root
      return units
    }
    if (p.chain.length === 0) {
      for (const k of p.keys) if (k !== null) units.rootKeys.add(k)
      continue
    }
    const top = keyOf(p.chain[0]!)
    if (top === null) continue // impossible under a Y.Map root
    if (!(ROW_LISTS as readonly string[]).includes(top)) {
      units.rootKeys.add(top)
      continue
    }
    if (p.chain.length === 1) {
      units.lists.add(top)
      continue
    }
    const row = p.chain[1]!
    if (!(row instanceof Y.Map)) {
      units.lists.add(top)
      continue
    }
    let rows = units.rows.get(top)
    if (!rows) units.rows.set(top, (rows = new Map()))
    let keys = rows.get(row)
    if (!keys) rows.set(row, (keys = new Set()))
    if (p.chain.length === 2) for (const k of p.keys) keys.add(k ?? '')
    else keys.add(keyOf(p.chain[2]!) ?? '')
  }
  return units
}
