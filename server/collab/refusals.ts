// Every way the server ends or refuses a live connection: the close code, a short ASCII close reason
// (WebSocket limits it to 123 bytes) and the Chinese message sent first as an auth permission-denied.
//
// WATCH OUT: y-websocket 3.1's default `shouldReconnect` treats 4400–4499 as permanent (it stops and
// emits `closed`), every other code as transient. Refusals a reconnect cannot fix use 44xx; a client
// whose update was refused gets 4422 on purpose: a reconnect would re-send the same refused change in
// its sync step 2 and be refused again, forever. The grid reloads its document on 4422 instead.
export interface Refusal {
  code: number
  /** stable machine code, also the close reason */
  reason: string
  message: string
}

export const REFUSALS = {
  unauthorized: { code: 4401, reason: 'E_UNAUTHORIZED', message: '未登录或登录已失效，请重新登录' },
  forbidden: { code: 4403, reason: 'E_FORBIDDEN', message: '无权访问该表' },
  notFound: { code: 4403, reason: 'E_FORBIDDEN', message: '表不存在或无权访问' },
  malformed: { code: 4400, reason: 'E_MALFORMED', message: '收到无法解析的消息，连接已断开' },
  tooLarge: { code: 4413, reason: 'E_TOO_LARGE', message: '单次修改过大，已拒绝' },
  invalidUpdate: { code: 4422, reason: 'E_INVALID_UPDATE', message: '修改不符合表格结构，已拒绝；请刷新页面后重试' },
  rateLimited: { code: 4429, reason: 'E_RATE_LIMITED', message: '发送过于频繁，连接已断开' },
  /**
   * transient: the database is away and the unstored edits held for this table (or the server) reached
   * their bound (commit.ts HoldLimits); the update was not taken, the provider reconnects and re-sends it
   */
  storeFull: { code: 1013, reason: 'E_STORE_FULL', message: '数据库暂时不可用，待保存的修改已达上限，本次修改未被接收；连接恢复后将自动重新发送' },
  /** transient: the database is away while a connection authenticates or its table loads */
  unavailable: { code: 1013, reason: 'E_UNAVAILABLE', message: '数据库暂时不可用，将自动重连' },
  slowConsumer: { code: 1013, reason: 'E_SLOW', message: '网络过慢，连接已重置' },
  restarting: { code: 1012, reason: 'E_RESTART', message: '服务器重启中，将自动重连' },
  internal: { code: 1011, reason: 'E_INTERNAL', message: '服务器内部错误，将自动重连' },
  /**
   * not a close: the database is away and the unstored edits held for this table (or the server) passed
   * half their bound (commit.ts nearlyFull); sent to a writer as it edits, at most every few seconds,
   * before E_STORE_FULL refuses its edits. In relay mode the others already see these edits.
   */
  unsaved: { code: 0, reason: 'E_UNSAVED', message: '数据库暂时不可用，最近的修改尚未保存；待保存的修改接近上限，达到上限后将暂停接收新的修改，数据库恢复后自动保存' },
  /** not a close: sent to a read-only connection whose edit was dropped, or one downgraded to read */
  readOnly: { code: 0, reason: 'E_READ_ONLY', message: '当前为只读，修改未被保存' },
} as const satisfies Record<string, Refusal>

/** The text of the auth message: `<reason>: <message>` so clients can match the stable code. */
export function denialText(r: Pick<Refusal, 'reason' | 'message'>, detail?: string): string {
  return `${r.reason}: ${r.message}${detail ? `（${detail}）` : ''}`
}
