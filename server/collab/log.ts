// The logger the collaboration core writes to: event name plus structured fields, so the app can
// hand in its own logger; the default writes warnings and errors to the console.
export interface CollabLog {
  info(event: string, fields?: Record<string, unknown>): void
  warn(event: string, fields?: Record<string, unknown>): void
  error(event: string, fields?: Record<string, unknown>): void
}

export const consoleLog: CollabLog = {
  info() {},
  warn: (event, fields) => console.warn(`[collab] ${event}`, fields ?? ''),
  error: (event, fields) => console.error(`[collab] ${event}`, fields ?? ''),
}

export const silentLog: CollabLog = { info() {}, warn() {}, error() {} }
