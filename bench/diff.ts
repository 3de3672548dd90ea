// Field-level differences and the history journal on 300-indicator tables: diffTables between two
// versions (a realistic revision and a worst case), the journal's bookkeeping per accepted update (the
// collaboration hot path) next to what the guard already costs, and a settle's diff + attribution.
// Run: npx tsx bench/diff.ts (or BENCH_ONLY=diff npm run bench)
import * as Y from 'yjs'
import { diffTables } from '../shared/diff/table-diff.ts'
import type { IndicatorRow, TargetTable } from '../shared/model/index.ts'
import { encodeTable, fromYDoc, insertRow, replaceText, rowIds, setRowField, tableRoot, toYDoc } from '../shared/ydoc/index.ts'
import { ChangeJournal } from '../server/collab/journal.ts'
import { inspectIntegrated } from '../server/collab/guard.ts'
import { tableShapeChecker } from '../server/collab/table-shape.ts'
import { sampleTable } from '../test/helpers/collab-fixtures.ts'

const f = (x: number, d = 2) => x.toFixed(d)

function stats(times: number[]): { mean: number; p50: number; p99: number } {
  const s = [...times].sort((a, b) => a - b)
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: s[Math.floor(s.length / 2)]!, p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]! }
}

// ---- 1. diffTables between two versions

/** The next round's version of a table: 30 values changed, 5 rows added, 5 removed, 3 moved, a header field and the goal. */
function revised(base: TargetTable): TargetTable {
  const next = structuredClone(base) as TargetTable & { header: { projectName: string } }
  next.header.projectName += '（修订）'
  next.annualGoal += '\n目标3：补充的年度目标。'
  next.indicators.forEach((r, i) => {
    if (i % 10 === 3) r.target = `${i * 7}`
  })
  next.indicators.splice(40, 5)
  for (let k = 0; k < 5; k++) next.indicators.splice(100 + k * 20, 0, { ...next.indicators[k]!, id: `added-${k}`, level3: `新增指标${k}` })
  for (const from of [10, 150, 250]) next.indicators.splice(from - 7, 0, next.indicators.splice(from, 1)[0]!)
  return next
}

/** Every row changed and the order reversed: the most a diff can have to say. */
function worst(base: TargetTable): TargetTable {
  return { ...base, indicators: base.indicators.map((r, i): IndicatorRow => ({ ...r, target: `${i}!`, unit: '项' })).reverse() }
}

function timeDiff(label: string, a: TargetTable, b: TargetTable, runs: number): void {
  for (let i = 0; i < 200; i++) diffTables(a, b)
  const times: number[] = []
  let n = 0
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    n = diffTables(a, b).length
    times.push(performance.now() - t0)
  }
  const cpu = process.cpuUsage(cpu0)
  const s = stats(times)
  console.log(`${label.padEnd(34)} ${String(n).padStart(4)} changes  mean ${f(s.mean)} ms  p50 ${f(s.p50)} ms  p99 ${f(s.p99)} ms  cpu mean ${f((cpu.user + cpu.system) / 1000 / runs)} ms  (${runs} runs, target < 20 ms)`)
}

const v1 = sampleTable(300)
console.log(`diffTables — node ${process.version}, 300-indicator S01-based table`)
timeDiff('same content (nothing changed)', v1, structuredClone(v1), 2000)
timeDiff('next round (revision)', v1, revised(v1), 2000)
timeDiff('worst case (all rows changed, reversed)', v1, worst(v1), 500)

// ---- 2. the journal per accepted update (what the room adds to every edit)

type Kind = 'cell' | 'goal' | 'row'
const N = Number(process.env.N ?? 3000)
const baseDoc = toYDoc(v1)
const baseBytes = Y.encodeStateAsUpdate(baseDoc)
const ROUNDS = Number(process.env.ROUNDS ?? 15)

function updatesOf(kind: Kind): Uint8Array[] {
  const client = new Y.Doc()
  Y.applyUpdate(client, baseBytes)
  const out: Uint8Array[] = []
  client.on('update', (u: Uint8Array) => out.push(u))
  const ids = rowIds(client, 'indicators')
  for (let i = 0; i < N; i++) {
    if (kind === 'cell') setRowField(client, 'indicators', ids[i % ids.length]!, 'target', String(1000 + i))
    else if (kind === 'goal') {
      const goal = tableRoot(client).get('annualGoal') as Y.Text
      replaceText(goal, goal.toString().slice(0, 200) + String(i))
    } else if (i < 600) insertRow(client, 'indicators', i % 300, { period: 'annual', level1: '产出指标', level2: '数量指标', level3: `新增${i}`, comparator: '≥', target: '1', unit: '个' })
  }
  return out
}

/**
 * CPU time of one pass over the updates: apply + guard (what every accepted update costs today), with or
 * without the journal. Passes alternate and the median of each is kept: on a shared machine the
 * difference of two medians of CPU time is steadier than timing the journal's few µs alone.
 */
function pass(ups: readonly Uint8Array[], withJournal: boolean): { cpuUs: number; keys: number } {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, baseBytes)
  const journal = withJournal ? new ChangeJournal() : null
  let tr: Y.Transaction | null = null
  doc.on('afterTransaction', (t: Y.Transaction) => {
    tr = t
    journal?.noteDeletions(t)
  })
  const c0 = process.cpuUsage()
  for (const u of ups) {
    Y.applyUpdate(doc, u, 'client')
    if (inspectIntegrated(doc, tr!, ['table'])) throw new Error('refused')
    if (tableShapeChecker.incremental(doc, tr!, { actorId: 'u' }).length) throw new Error('invalid')
    journal?.record(tr!, 'u')
  }
  const c = process.cpuUsage(c0)
  doc.destroy()
  return { cpuUs: c.user + c.system, keys: journal?.touched ?? 0 }
}

function journalCost(kind: Kind): void {
  const ups = updatesOf(kind)
  const without: number[] = []
  const withJ: number[] = []
  let keys = 0
  for (let round = 0; round < ROUNDS; round++) {
    without.push(pass(ups, false).cpuUs)
    const r = pass(ups, true)
    withJ.push(r.cpuUs)
    keys = r.keys
  }
  const a = median(without) / ups.length
  const b = median(withJ) / ups.length
  const alone = journalAlone(ups) / ups.length
  console.log(`${kind.padEnd(4)} n=${String(ups.length).padStart(4)}: journal alone ${f(alone, 2)} µs per update; apply + guard ${f(a, 1)} µs, with the journal ${f(b, 1)} µs (difference ${f(b - a, 1)} µs, noise included); CPU medians of ${ROUNDS} passes; keys held at the end: ${keys}`)
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/**
 * The journal's calls alone, on the transactions the updates made (kept from one pass): CPU µs for all
 * updates, median of ROUNDS. WATCH OUT: run after Yjs collected deleted content, noteDeletions finds no
 * rows to note here; its walk over the deletions is the same.
 */
function journalAlone(ups: readonly Uint8Array[]): number {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, baseBytes)
  const trs: Y.Transaction[] = []
  doc.on('afterTransaction', (t: Y.Transaction) => trs.push(t))
  for (const u of ups) Y.applyUpdate(doc, u, 'client')
  const runs: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const journal = new ChangeJournal()
    const c0 = process.cpuUsage()
    for (const tr of trs) {
      journal.noteDeletions(tr)
      journal.record(tr, 'u')
    }
    const c = process.cpuUsage(c0)
    runs.push(c.user + c.system)
  }
  doc.destroy()
  return median(runs)
}

console.log('\nhistory journal per accepted update (server/collab/journal.ts), 300-indicator table')
pass(updatesOf('cell'), true) // warm
for (const k of ['cell', 'goal', 'row'] as const) journalCost(k)

// ---- 3. a settle: diff since the last settle and attribution

function settleCost(label: string, table: TargetTable, edits: number): void {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, encodeTable(table))
  const journal = new ChangeJournal()
  journal.loadedFrom([encodeTable(table)])
  let tr: Y.Transaction | null = null
  doc.on('afterTransaction', (t: Y.Transaction) => ((tr = t), journal.noteDeletions(t)))
  const parsed = () => {
    const r = fromYDoc(doc)
    if (!r.ok) throw new Error('invalid')
    return r.table
  }
  journal.settle(parsed()) // the settle right after load
  const ids = rowIds(doc, 'indicators')
  const times: number[] = []
  for (let round = 0; round < 300; round++) {
    for (let i = 0; i < edits; i++) {
      setRowField(doc, 'indicators', ids[(round * 7 + i) % ids.length]!, 'target', `${round}-${i}`)
      journal.record(tr!, i % 2 ? 'alice' : 'bob')
    }
    const content = parsed()
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const changes = journal.settle(content)
    times.push(performance.now() - t0)
    const c = process.cpuUsage(c0)
    cpuTotal += c.user + c.system
    if (changes.length !== Math.min(edits, ids.length)) throw new Error(`expected ${edits} changes, got ${changes.length}`)
  }
  const s = stats(times.slice(20))
  console.log(`${label.padEnd(40)} mean ${f(s.mean)} ms  p50 ${f(s.p50)} ms  p99 ${f(s.p99)} ms  cpu mean ${f(cpuTotal / 1000 / times.length)} ms`)
  cpuTotal = 0
}
let cpuTotal = 0

console.log('\na settle: diff since the last settle + attribution (the whole-table parse it already did not included)')
settleCost('S01 (14 indicators), 5 cell edits', sampleTable(), 5)
settleCost('300 indicators, 30 cell edits', v1, 30)
