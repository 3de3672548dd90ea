// Location syntax of rules.md → Reporting conventions: `header.projectName`, `indicators[5]`, `funds.annual`.
export type PathSegment = string | number

export function formatPath(segments: readonly PathSegment[]): string {
  let out = ''
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`
    else out += out === '' ? s : `.${s}`
  }
  return out
}

export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = []
  const re = /([^.[\]]+)|\[(\d+)\]/g
  let m: RegExpExecArray | null
  while ((m = re.exec(path))) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!)
  return out
}
