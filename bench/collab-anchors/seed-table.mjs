// Writes a target-table document into an anchor server (y-websocket or Hocuspocus), so yload can run
// its `--layout table` workload on the anchors exactly as on our server.
//   node seed-table.mjs --url 'ws://127.0.0.1:1234/{room}' --protocol y-websocket --doc NAME --update FILE
// FILE holds the table as one Yjs update (base64). Exits 0 once a second client sees the table.
import { readFileSync } from 'node:fs'
import * as Y from 'yjs'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []))
const update = Buffer.from(readFileSync(args.update, 'utf8'), 'base64')
const i = args.url.indexOf('{room}')
const serverUrl = args.url.slice(0, i).replace(/\/$/, '')

async function connect(doc) {
  if (args.protocol === 'hocuspocus') {
    const { HocuspocusProvider, HocuspocusProviderWebsocket } = await import('@hocuspocus/provider')
    const socket = new HocuspocusProviderWebsocket({ url: serverUrl, WebSocketPolyfill: WebSocket })
    const provider = new HocuspocusProvider({ websocketProvider: socket, name: args.doc, document: doc })
    provider.attach()
    await new Promise((resolve) => provider.on('synced', resolve))
    return () => { provider.destroy(); socket.destroy() }
  }
  const provider = new WebsocketProvider(serverUrl, args.doc, doc, { WebSocketPolyfill: WebSocket, disableBc: true })
  await new Promise((resolve) => provider.on('sync', (s) => s && resolve()))
  return () => provider.destroy()
}

const writer = new Y.Doc()
const closeWriter = await connect(writer)
if (!(writer.getMap('table').get('indicators') instanceof Y.Array)) Y.applyUpdate(writer, update)
const reader = new Y.Doc()
const closeReader = await connect(reader)
const t0 = Date.now()
while (!(reader.getMap('table').get('indicators') instanceof Y.Array)) {
  if (Date.now() - t0 > 10_000) { console.error('seed not confirmed'); process.exit(1) }
  await new Promise((r) => setTimeout(r, 20))
}
closeReader()
await new Promise((r) => setTimeout(r, 200))
closeWriter()
process.exit(0)
