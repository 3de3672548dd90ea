// Input checking shared by the repositories: zod schemas whose messages name the field in Chinese,
// turned into AppError('invalid_input') so every caller sees the same error shape.
import { z } from 'zod'
import { AppError } from '../../shared/errors.ts'

/** Parses or throws AppError('invalid_input') carrying the first message and every issue by path. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
  throw new AppError('invalid_input', issues[0]?.message ?? '输入不符合要求', { issues })
}

/** A trimmed, non-empty string; `label` is how the message names the field, e.g. `用户名（username）`. */
export function requiredText(label: string, max = 200) {
  return z
    .string({ error: `${label}必须是文本` })
    .trim()
    .min(1, { error: `${label}不能为空` })
    .max(max, { error: `${label}不能超过 ${max} 个字符` })
}

export function optionalText(label: string, max = 2000) {
  return z.string({ error: `${label}必须是文本` }).max(max, { error: `${label}不能超过 ${max} 个字符` })
}

export function oneOf<const T extends readonly [string, ...string[]]>(label: string, values: T) {
  return z.enum(values, { error: `${label}必须是 ${values.join('、')} 之一` })
}

export function id(label: string) {
  return requiredText(label, 100)
}

export function positiveInt(label: string) {
  return z.number({ error: `${label}必须是数字` }).int({ error: `${label}必须是整数` }).min(1, { error: `${label}必须大于 0` })
}

export function nonNegativeInt(label: string) {
  return z.number({ error: `${label}必须是数字` }).int({ error: `${label}必须是整数` }).min(0, { error: `${label}不能小于 0` })
}

export function notFound(what: string, key: string): AppError {
  return new AppError('not_found', `${what}不存在：${key}`, { id: key })
}
