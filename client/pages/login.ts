// /login: username + password → POST /api/auth/login, then back to where the user came from.
import type { LoginAnswer } from '../../shared/api/directory.ts'
import { api, ApiError, setToken } from '../lib/api.ts'
import { h, render } from '../lib/dom.ts'

export function loginPage(app: HTMLElement): void {
  const next = new URLSearchParams(location.search).get('next')
  const safeNext = next && next.startsWith('/') && !next.startsWith('//') ? next : '/tables'
  const error = h('p', { class: 'tt-error', role: 'alert' })
  const username = h('input', { name: 'username', autocomplete: 'username', required: true })
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })
  const submit = h('button', { type: 'submit' }, '登录')
  const form = h('form', {
    class: 'tt-login',
    onsubmit: async (ev: Event) => {
      ev.preventDefault()
      submit.disabled = true
      error.textContent = ''
      try {
        const r = await api<LoginAnswer>('/api/auth/login', { method: 'POST', json: { username: username.value.trim(), password: password.value } })
        setToken(r.token)
        location.assign(safeNext)
      } catch (e) {
        error.textContent = e instanceof ApiError && e.status === 401 ? '用户名或密码错误' : `登录失败：${e instanceof Error ? e.message : String(e)}`
        submit.disabled = false
      }
    },
  },
  h('h1', null, '绩效目标表协同编审'),
  h('label', null, '用户名'), username,
  h('label', null, '密码'), password,
  submit, error)
  render(app, form)
  username.focus()
}
