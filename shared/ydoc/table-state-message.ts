// A table's lifecycle state on its live socket: message type 101 of the y-websocket protocol (ours),
// a small JSON body, sent by `collab.revalidate` after a status change to the table-room connections
// that speak our messages (`?findings=1`), so every open page updates its header at once.
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { TABLE_STATUSES, type TableStatus } from '../permissions.ts'

export const MSG_TABLE_STATE = 101

/**
 * Only what every reader may know; what the reader may now do (buttons, read-only) depends on who
 * reads, so the page asks `GET /api/tables/:id` for that when this arrives.
 */
export interface TableStateMessage {
  status: TableStatus
}

/** Writes a whole table-state message (type, then the JSON body). */
export function writeTableStateMessage(e: encoding.Encoder, payload: TableStateMessage): void {
  encoding.writeVarUint(e, MSG_TABLE_STATE)
  encoding.writeVarString(e, JSON.stringify({ status: payload.status }))
}

/** Reads the body of a table-state message whose type was already read; null when malformed. */
export function readTableStateBody(d: decoding.Decoder): TableStateMessage | null {
  try {
    const v = JSON.parse(decoding.readVarString(d)) as Partial<TableStateMessage> | null
    return v && (TABLE_STATUSES as readonly string[]).includes(v.status as string) ? { status: v.status as TableStatus } : null
  } catch {
    return null
  }
}
