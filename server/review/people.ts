// Display names of users for answers that name people (rounds, versions, history), looked up once per id.
import type { Storage } from '../storage/index.ts'

export async function userNames(storage: Storage, ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  const unique = [...new Set([...ids].filter((x): x is string => typeof x === 'string' && x.length > 0))]
  const users = await Promise.all(unique.map((id) => storage.users.get(id)))
  const out = new Map<string, string>()
  unique.forEach((id, i) => out.set(id, users[i]?.displayName ?? '（已删除的用户）'))
  return out
}
