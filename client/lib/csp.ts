// Runs before anything else in the client (first import of main.ts) so the page lives under the server's
// Content-Security-Policy without a violation (server/http/security-headers.ts): zod v4 probes for eval
// with `new Function('')` the first time it parses an object, which a CSP without 'unsafe-eval' reports as a
// `securitypolicyviolation` even though zod catches it; `jitless` skips the probe (zod reads its config from
// this global, so zod itself need not load here).
const g = globalThis as { __zod_globalConfig?: Record<string, unknown> }
g.__zod_globalConfig = Object.assign(g.__zod_globalConfig ?? {}, { jitless: true })
