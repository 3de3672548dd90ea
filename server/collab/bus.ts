// The contract between the room registry and a cross-process message bus (redis.ts implements it):
// stored updates and awareness of a document travel on one channel per document; requests to re-check
// connections (a status change, a revocation) on one channel for the whole deployment.
export interface BusHandlers {
  /** an update another process stored (id: its row in the update log) */
  update(update: Uint8Array, id: number): void
  awareness(update: Uint8Array): void
  /** another process just loaded the document and asks for the presence held here */
  queryAwareness(): void
}

export interface DocBus {
  /** resolves once messages for `key` are delivered to `handlers` */
  subscribe(key: string, handlers: BusHandlers): Promise<void>
  unsubscribe(key: string): Promise<void>
  publishUpdate(key: string, update: Uint8Array, id: number): void
  publishAwareness(key: string, update: Uint8Array): void
  queryAwareness(key: string): void
  /** `cb` runs after the bus lost and regained its connection: messages may have been missed meanwhile */
  onReconnect(cb: () => void): void
  /** asks every other process to re-check its connections to a table (null: to every table) */
  publishRevalidate(tableId: string | null): void
  /** `cb` runs when another process asks that (never for this process's own requests) */
  onRevalidate(cb: (tableId: string | null) => void): void
  close(): Promise<void>
}
