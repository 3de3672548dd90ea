// Security headers on every page and answer (Hono's secureHeaders()): a Content-Security-Policy as strict
// as the client allows, no framing, no MIME sniffing, a same-origin Referrer-Policy.
//
// What the built client needs (checked in real Chromium by test/e2e/csp.test.ts, which fails on any
// `securitypolicyviolation` on /login, /tables, /tables/<id> with an edit, /compilations):
// - scripts: only our own files ('self'): Vite emits no inline script and Univer runs without eval; zod's
//   eval probe is switched off by the client before anything else (client/lib/csp.ts).
// - styles: 'self' plus 'unsafe-inline': Univer's UI kit inserts <style> elements at run time (seen in
//   Chromium as style-src-elem violations without it; a nonce cannot reach them) and the pages set style
//   attributes (client/lib/dom.ts, the presence colours). Styles cannot run script.
// - images and fonts: 'self' and data: (icons inlined in CSS), blob: (images made in the page).
// - connections: 'self' and the WebSocket of the same host (ws:/wss:, spelled out for browsers whose
//   'self' does not cover WebSocket schemes).
// - workers: 'self' and blob: (none today; Univer can move formulas to a worker). No plugins, <base> only
//   ours, forms post only to us, never framed (frame-ancestors 'none' and X-Frame-Options: DENY).
import type { Context, MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'

function sameHostSockets(c: Context): string {
  const host = c.req.header('host')
  return host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `ws://${host} wss://${host}` : ''
}

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", sameHostSockets],
  workerSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
}

export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
    xContentTypeOptions: true,
  })
}
