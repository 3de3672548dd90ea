// Scale-out over Redis pub/sub (REDIS_URL): each process publishes the updates it stored and the
// awareness of its clients on one channel per document, and applies the others' as 'remote'. Storage
// stays PostgreSQL for all processes; Redis only carries what is already stored (or is presence).
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import type { BusHandlers, DocBus } from './bus.ts'
import type { CollabLog } from './log.ts'

const KIND_UPDATE = 0
const KIND_AWARENESS = 1
const KIND_QUERY_AWARENESS = 2
const KIND_REVALIDATE = 3
/** the deployment-wide channel (after the prefix); document keys are `<tableId>/<room>`, so they never equal it */
const CONTROL_CHANNEL = '!control'

export interface RedisBusOptions {
  url: string
  /** channel prefix, so several deployments (or test runs) can share one Redis */
  prefix?: string
  log: CollabLog
}

export async function createRedisBus(opts: RedisBusOptions): Promise<DocBus> {
  const prefix = opts.prefix ?? 'tt:collab:'
  const self = randomBytes(8).toString('hex')
  // WATCH OUT: a connection in subscriber mode can do nothing else, hence two.
  const pub = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: 3 })
  const sub = new Redis(opts.url, { lazyConnect: true })
  for (const [name, c] of [['pub', pub], ['sub', sub]] as const) c.on('error', (err: Error) => opts.log.warn('collab.redis.error', { connection: name, error: err.message }))
  await Promise.all([pub.connect(), sub.connect()])
  const handlers = new Map<string, BusHandlers>()
  const reconnectCallbacks: (() => void)[] = []
  const revalidateCallbacks: ((tableId: string | null) => void)[] = []
  // ioredis re-subscribes by itself after a reconnect, but what was published meanwhile is gone.
  sub.on('ready', () => {
    for (const cb of reconnectCallbacks) cb()
  })

  sub.on('messageBuffer', (channelBuf: Buffer, message: Buffer) => {
    const key = channelBuf.toString('utf8').slice(prefix.length)
    if (key === CONTROL_CHANNEL) return control(message)
    const h = handlers.get(key)
    if (!h) return
    try {
      const d = decoding.createDecoder(new Uint8Array(message.buffer, message.byteOffset, message.byteLength))
      const kind = decoding.readVarUint(d)
      if (decoding.readVarString(d) === self) return
      if (kind === KIND_UPDATE) {
        const update = decoding.readVarUint8Array(d)
        h.update(update, decoding.readVarUint(d))
      } else if (kind === KIND_AWARENESS) h.awareness(decoding.readVarUint8Array(d))
      else if (kind === KIND_QUERY_AWARENESS) h.queryAwareness()
    } catch (err) {
      opts.log.error('collab.redis.message', { key, error: String(err) })
    }
  })

  function control(message: Buffer): void {
    try {
      const d = decoding.createDecoder(new Uint8Array(message.buffer, message.byteOffset, message.byteLength))
      if (decoding.readVarUint(d) !== KIND_REVALIDATE || decoding.readVarString(d) === self) return
      const tableId = decoding.readVarString(d)
      for (const cb of revalidateCallbacks) cb(tableId === '' ? null : tableId)
    } catch (err) {
      opts.log.error('collab.redis.message', { key: CONTROL_CHANNEL, error: String(err) })
    }
  }
  await sub.subscribe(prefix + CONTROL_CHANNEL)

  const publish = (key: string, write: (e: encoding.Encoder) => void) => {
    const e = encoding.createEncoder()
    write(e)
    pub.publish(prefix + key, Buffer.from(encoding.toUint8Array(e))).catch((err: Error) => opts.log.warn('collab.redis.publish', { key, error: err.message }))
  }

  return {
    async subscribe(key, h) {
      handlers.set(key, h)
      await sub.subscribe(prefix + key)
    },
    async unsubscribe(key) {
      handlers.delete(key)
      await sub.unsubscribe(prefix + key)
    },
    publishUpdate(key, update, id) {
      publish(key, (e) => {
        encoding.writeVarUint(e, KIND_UPDATE)
        encoding.writeVarString(e, self)
        encoding.writeVarUint8Array(e, update)
        encoding.writeVarUint(e, id)
      })
    },
    publishAwareness(key, update) {
      publish(key, (e) => {
        encoding.writeVarUint(e, KIND_AWARENESS)
        encoding.writeVarString(e, self)
        encoding.writeVarUint8Array(e, update)
      })
    },
    queryAwareness(key) {
      publish(key, (e) => {
        encoding.writeVarUint(e, KIND_QUERY_AWARENESS)
        encoding.writeVarString(e, self)
      })
    },
    onReconnect(cb) {
      reconnectCallbacks.push(cb)
    },
    publishRevalidate(tableId) {
      publish(CONTROL_CHANNEL, (e) => {
        encoding.writeVarUint(e, KIND_REVALIDATE)
        encoding.writeVarString(e, self)
        encoding.writeVarString(e, tableId ?? '')
      })
    },
    onRevalidate(cb) {
      revalidateCallbacks.push(cb)
    },
    async close() {
      handlers.clear()
      await Promise.allSettled([pub.quit(), sub.quit()])
    },
  }
}
