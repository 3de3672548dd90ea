// REST calls while the database is away: answered at once with 503 'unavailable' (数据库暂时不可用)
// instead of waiting for a connection or a stalled server; a call already waiting when the database
// is found away is answered the same way (health.guard). Its work goes on and settles when the
// database is back, or fails: WATCH OUT, a write answered 503 this way may still be stored then.
import type { MiddlewareHandler } from 'hono'
import { unavailable, type DatabaseHealth } from '../db/health.ts'

export function databaseAvailable(health: DatabaseHealth): MiddlewareHandler {
  return async function databaseAvailable(c, next) {
    if (!health.available) throw unavailable()
    await health.guard(next())
    // a handler's error does not reach here as a throw (Hono hands it to onError): tell the monitor
    if (c.error) health.report(c.error)
  }
}
