// A row of radio buttons drawn as one segmented control (`.tt-segmented`): the choice of one value
// out of a short list (表类型, 格式, 版本类型 …). Markup is a radiogroup of labelled native radios.
import type { ReactNode } from 'react'

export function Segmented<T extends string>({ name, options, value, onChange, label }: {
  /** the radios' name (also what tests and forms address) */
  name: string
  options: readonly T[]
  value: T
  onChange: (value: T) => void
  label: (option: T) => ReactNode
}) {
  return (
    <div className="tt-segmented" role="radiogroup">
      {options.map((o) => (
        <label key={o} className={value === o ? 'tt-on' : undefined}>
          <input type="radio" name={name} value={o} checked={value === o} onChange={() => onChange(o)} />
          {label(o)}
        </label>
      ))}
    </div>
  )
}
