// The broadcast fast path (server/collab/wire.ts) against real ws sockets: frames built once and
// written to the socket directly must arrive byte for byte, in order with ws's own sends, at every
// payload-length encoding (7-bit, 16-bit, 64-bit).
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, WebSocket } from 'ws'
import { sendBinary, wireFrame } from '../../server/collab/wire.ts'

const servers: WebSocketServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate()
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }
})

/** A server and `n` clients; resolves with the server-side sockets and what each client receives. */
async function connect(n: number): Promise<{ serverSides: WebSocket[]; inboxes: Uint8Array[][]; clients: WebSocket[] }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  servers.push(wss)
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const port = (wss.address() as { port: number }).port
  const serverSides: WebSocket[] = []
  const accepted = new Promise<void>((resolve) =>
    wss.on('connection', (ws) => {
      serverSides.push(ws)
      if (serverSides.length === n) resolve()
    }),
  )
  const inboxes: Uint8Array[][] = []
  const clients: WebSocket[] = []
  for (let i = 0; i < n; i++) {
    const inbox: Uint8Array[] = []
    inboxes.push(inbox)
    const c = new WebSocket(`ws://127.0.0.1:${port}`)
    c.binaryType = 'nodebuffer'
    c.on('message', (data: Buffer, isBinary) => {
      expect(isBinary).toBe(true)
      inbox.push(new Uint8Array(data))
    })
    clients.push(c)
    await new Promise<void>((resolve) => c.once('open', () => resolve()))
  }
  await accepted
  return { serverSides, inboxes, clients }
}

const payload = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10))
}

describe('wire: one frame for many sockets', () => {
  it('delivers every length encoding byte for byte, in order with ws.send', async () => {
    const { serverSides, inboxes } = await connect(2)
    const sizes = [0, 1, 125, 126, 65535, 65536, 200_000]
    const sent: Uint8Array[] = []
    for (const [i, size] of sizes.entries()) {
      const p = payload(size, i)
      sent.push(p)
      for (const s of serverSides) expect(sendBinary(s, p)).toBe(true)
      // ws's own send in between must stay in order
      const q = payload(7, 100 + i)
      sent.push(q)
      for (const s of serverSides) s.send(q)
    }
    await until(() => inboxes.every((b) => b.length === sent.length))
    for (const inbox of inboxes) {
      expect(inbox.map((m) => m.byteLength)).toEqual(sent.map((m) => m.byteLength))
      inbox.forEach((m, i) => expect(Buffer.compare(Buffer.from(m), Buffer.from(sent[i]!))).toBe(0))
    }
  })

  it('builds the frame once per payload and again for a new one', () => {
    const a = payload(300, 1)
    const b = payload(300, 2)
    const fa = wireFrame(a)
    expect(wireFrame(a)).toBe(fa)
    const fb = wireFrame(b)
    expect(fb).not.toBe(fa)
    // FIN + binary opcode, 16-bit length 300, unmasked, payload after the 4-byte header
    expect([...fb.subarray(0, 4)]).toEqual([0x82, 126, 300 >> 8, 300 & 0xff])
    expect(Buffer.compare(fb.subarray(4), Buffer.from(b))).toBe(0)
  })

  it('refuses a socket that is no longer open', async () => {
    const { serverSides, clients } = await connect(1)
    const s = serverSides[0]!
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()))
    clients[0]!.close()
    await closed
    expect(sendBinary(s, payload(10, 0))).toBe(false)
  })
})
