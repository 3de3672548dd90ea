// Garbage per edit on the server's update path (guard, apply, group commit, merge for the broadcast),
// by allocating function, without sockets: 100 editors on a 300-indicator table, in-memory storage.
// Sampled with the inspector's heap sampler, counting objects the GC has already collected.
// Run: npx tsx bench/collab-alloc.ts   (N=5000 edits by default)
import { Session } from 'node:inspector/promises'
import * as Y from 'yjs'
import { rowIds, setRowField, toYDoc } from '../shared/ydoc/index.ts'
import { Committer } from '../server/collab/commit.ts'
import { createMemoryPersistence } from '../server/collab/persistence.ts'
import { RoomRegistry, DEFAULT_TIMINGS } from '../server/collab/registry.ts'
import { tableShapeChecker } from '../server/collab/table-shape.ts'
import { commentsShapeChecker } from '../server/collab/comments-shape.ts'
import { silentLog } from '../server/collab/log.ts'
import type { ClientOrigin, RoomConn } from '../server/collab/room.ts'
import { sampleTable } from '../test/helpers/collab-fixtures.ts'

const base = createMemoryPersistence()
await base.append('t1', 'table', [{ update: Y.encodeStateAsUpdate(toYDoc(sampleTable(300))), userId: null }])
const committer = new Committer({ persistence: base, log: silentLog })
const registry = new RoomRegistry({ persistence: base, committer, checkers: { table: tableShapeChecker, comments: commentsShapeChecker }, log: silentLog, timings: DEFAULT_TIMINGS })
const room = await registry.acquire('t1', 'table')
const conns: RoomConn[] = []
for (let i = 0; i < 100; i++) {
  const c = { id: i, actorId: `u${i}`, actorRole: 'department' as const, access: 'write' as const, wantsFindings: false, awarenessIds: new Set<number>(), origin: null as unknown as ClientOrigin, send(_f: Uint8Array) {} }
  c.origin = { kind: 'client', conn: c }
  conns.push(c)
  room.addConnection(c)
}
const clients = conns.map(() => { const d = new Y.Doc(); Y.applyUpdate(d, Y.encodeStateAsUpdate(room.doc)); return d })
const N = Number(process.env.N ?? 5000)
const ups: [number, Uint8Array][] = []
for (let i = 0; i < N; i++) {
  const k = i % 100
  const d = clients[k]!
  let u: Uint8Array | null = null
  const h = (x: Uint8Array) => (u = x)
  d.on('update', h)
  setRowField(d, 'indicators', rowIds(d, 'indicators')[k % 300]!, 'target', `${i}`)
  d.off('update', h)
  ups.push([k, u!])
}
const session = new Session()
session.connect()
await session.post('HeapProfiler.enable')
await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never)
for (let i = 0; i < N; i += 4) {
  for (let j = i; j < i + 4 && j < N; j++) room.receiveUpdate(conns[ups[j]![0]]!, ups[j]![1])
  await new Promise((r) => setImmediate(r))
}
await committer.idle()
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: any } }
const m = new Map<string, number>(); let tot = 0
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const walk = (n: any, stack: string[]) => {
  const own = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`
  const k = n.callFrame.url === '' ? `${own} <- ${stack.slice(-2).join(' <- ')}` : own
  stack = [...stack, own]
  m.set(k, (m.get(k) ?? 0) + n.selfSize); tot += n.selfSize
  for (const c of n.children) walk(c, stack)
}
walk(profile.head, [])
console.log(`allocated ≈ ${(tot / 1e6).toFixed(1)} MB for ${N} edits = ${(tot / N / 1024).toFixed(1)} KiB per edit`)
for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(((v / N) / 1024).toFixed(2).padStart(8), 'KiB/edit', k)
process.exit(0)
