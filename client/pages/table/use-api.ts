// One GET per key for the panels: refetched when the key changes (e.g. the page's epoch moved),
// answers to an older key dropped.
import { useCallback, useEffect, useRef, useState } from 'react'
import { api, ApiError } from '../../lib/api.ts'

export interface Fetched<T> {
  data: T | null
  error: string | null
  loading: boolean
  reload(): void
}

export function useApi<T>(path: string | null, key: unknown = null): Fetched<T> {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  const [tick, setTick] = useState(0)
  const seq = useRef(0)
  useEffect(() => {
    if (!path) return
    const n = ++seq.current
    setLoading(true)
    api<T>(path).then(
      (d) => { if (n === seq.current) { setData(d); setError(null); setLoading(false) } },
      (e) => {
        if (n !== seq.current) return
        setError(e instanceof ApiError && e.status === 404 && e.code !== 'not_found' ? '服务器尚不支持该功能' : e instanceof Error ? e.message : String(e))
        setLoading(false)
      },
    )
  }, [path, key, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { data, error, loading, reload }
}
