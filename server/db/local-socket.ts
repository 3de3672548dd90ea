// A PostgreSQL on this machine is reached over its unix socket instead of TCP loopback: the same server
// and database, without TCP's per-message work on both sides (on two shared cores every live edit's
// append round trip pays it; bench/README.md → collab.ts, issue 17). Only when the URL names this
// machine, the socket file exists and a connection over it is accepted (local authentication can differ
// from TCP's, e.g. `peer`); otherwise the URL is used as given.
import fs from 'node:fs'
import path from 'node:path'

/** Where PostgreSQL puts its sockets on Debian (the first two) and by default elsewhere (/tmp). */
export const SOCKET_DIRS: readonly string[] = ['/var/run/postgresql', '/run/postgresql', '/tmp']

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

/**
 * The socket file of the PostgreSQL that `url` names, when it is on this machine and the file is there;
 * null otherwise (another host, an unparsable URL, no socket).
 */
export function localSocketPath(url: string, dirs: readonly string[] = SOCKET_DIRS): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (!LOCAL_HOSTS.has(u.hostname)) return null
  const file = `.s.PGSQL.${u.port || '5432'}`
  for (const dir of dirs) {
    const p = path.join(dir, file)
    try {
      if (fs.statSync(p).isSocket()) return p
    } catch {
      /* not there */
    }
  }
  return null
}
