// createApp(deps) builds the HTTP application (never listens; server/main.ts does).
// Route table: path → permission (inside each route via requireCaller/requireTable) → handler.
import fs from 'node:fs'
import path from 'node:path'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { serveStatic } from '@hono/node-server/serve-static'
import { AppError } from '../shared/errors.ts'
import { resolveCaller, tokenFromRequest } from './auth/session.ts'
import type { AppDeps, AppEnv } from './http/context.ts'
import { crossSiteGuard, jsonBodies } from './http/csrf.ts'
import { errorResponse } from './http/errors.ts'
import { databaseAvailable } from './http/db-available.ts'
import { UNAVAILABLE_MESSAGE } from './db/errors.ts'
import { securityHeaders } from './http/security-headers.ts'
import { apiDocsPage, openApiDocument } from './http/openapi.ts'
import { auditRoutes } from './http/routes/audit.ts'
import { backupRoutes } from './backup/endpoint.ts'
import { authRoutes } from './http/routes/auth.ts'
import { commonCandidateRoutes } from './http/routes/common-candidates.ts'
import { compilationRoutes } from './http/routes/compilations.ts'
import { departmentImportRoutes } from './http/routes/department-import.ts'
import { directoryRoutes } from './http/routes/directory.ts'
import { indicatorRoutes } from './http/routes/indicators.ts'
import { indicatorTransferRoutes } from './http/routes/indicator-transfer.ts'
import { indicatorProposalRoutes } from './http/routes/indicator-proposals.ts'
import { indicatorUsageRoutes } from './http/routes/indicator-usage.ts'
import { opinionRoutes } from './http/routes/opinions.ts'
import { recommendationRoutes } from './http/routes/recommendations.ts'
import { assignmentRoutes } from './http/routes/assignments.ts'
import { materialRoutes } from './http/routes/materials.ts'
import { MAX_MATERIAL_FILE_BYTES, MAX_MATERIAL_UPLOAD_BODY_BYTES } from '../shared/api/materials.ts'
import { registryRoutes } from './http/routes/registry.ts'
import { rolloverRoutes } from './http/routes/rollover.ts'
import { groupRoutes } from './http/routes/groups.ts'
import { sessionRoutes } from './http/routes/sessions.ts'
import { tableExportRoutes } from './http/routes/table-export.ts'
import { tableHistoryRoutes } from './http/routes/table-history.ts'
import { tableImportRoutes } from './http/routes/table-import.ts'
import { tableLifecycleRoutes } from './http/routes/table-lifecycle.ts'
import { tableListRoutes } from './http/routes/table-list.ts'
import { tableRoutes } from './http/routes/tables.ts'
import { validateRoutes } from './http/routes/validate.ts'
import { workflowRoutes } from './http/routes/workflow.ts'

export type { AppDeps } from './http/context.ts'

const MAX_BODY_BYTES = 10 * 1024 * 1024
/** POST /api/departments/:id/materials/:item/files: the one route with a larger body limit */
const MATERIAL_UPLOAD_PATH = /^\/api\/departments\/[^/]+\/materials\/[^/]+\/files$/
const PAGES = ['/login', '/tables', '/tables/*', '/overview', '/ledger', '/library', '/compilations', '/registry', '/admin', '/departments/*']
/** the built client's files: Vite names each by its content's hash (assets/[name]-[hash].[ext]) */
const ASSET_CACHE = 'public, max-age=31536000, immutable'
/** the pages' HTML: revalidated on every load, so a rebuild's new asset names are picked up at once */
const PAGE_CACHE = 'no-cache'

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.onError((err, c) => errorResponse(c, err))
  app.use('*', securityHeaders()) // CSP, nosniff, no framing, Referrer-Policy on every answer

  app.get('/healthz', (c) => c.json({ ok: true }))
  // ready = the database answers now (a fresh ping within its deadline); 503 at once while it is away
  app.get('/readyz', async (c) => {
    const { health } = deps.database
    if (health.available && (await health.check())) return c.json({ ok: true, database: deps.database.kind })
    return c.json({ ok: false, database: deps.database.kind, error: { code: 'unavailable', message: UNAVAILABLE_MESSAGE } }, 503)
  })

  const defaultBodyLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AppError('payload_too_large', `请求体过大（最多 ${MAX_BODY_BYTES / 1024 / 1024} MB）`)
    },
  })
  // 资料清单 uploads alone may carry one file of up to MAX_MATERIAL_FILE_BYTES (shared/api/materials.ts): a
  // larger declared Content-Length is refused before reading, a chunked body once it passes the limit.
  const materialUploadBodyLimit = bodyLimit({
    maxSize: MAX_MATERIAL_UPLOAD_BODY_BYTES,
    onError: () => {
      throw new AppError('payload_too_large', `上传文件过大：每个文件最多 ${MAX_MATERIAL_FILE_BYTES / 1024 / 1024} MB`, { field: 'file', reason: 'too_large' })
    },
  })
  app.use('/api/*', (c, next) => (c.req.method === 'POST' && MATERIAL_UPLOAD_PATH.test(c.req.path) ? materialUploadBodyLimit : defaultBodyLimit)(c, next))
  app.use('/api/*', crossSiteGuard(), jsonBodies()) // server/http/csrf.ts: 403 cross-site with the cookie, 415 not JSON
  app.use('/api/*', databaseAvailable(deps.database.health))
  app.use('/api/*', async function resolveSession(c, next) {
    const token = tokenFromRequest({ authorization: c.req.header('authorization'), cookie: c.req.header('cookie') })
    c.set('caller', await resolveCaller(deps.storage, token, deps.config.sessionIdleMs))
    await next()
  })

  app.route('/api/auth', authRoutes(deps))
  app.route('/api', directoryRoutes(deps))
  app.route('/api', departmentImportRoutes(deps))
  app.route('/api', sessionRoutes(deps))
  app.route('/api/tables', tableListRoutes(deps))
  app.route('/api/tables', tableLifecycleRoutes(deps))
  app.route('/api/tables', tableHistoryRoutes(deps))
  app.route('/api/tables', tableExportRoutes(deps))
  app.route('/api/tables', tableImportRoutes(deps))
  app.route('/api/tables', recommendationRoutes(deps))
  app.route('/api/tables', tableRoutes(deps))
  app.route('/api', validateRoutes())
  app.route('/api', opinionRoutes(deps))
  app.route('/api', auditRoutes(deps))
  app.route('/api', compilationRoutes(deps))
  app.route('/api', registryRoutes(deps))
  app.route('/api', assignmentRoutes(deps))
  app.route('/api', materialRoutes(deps))
  app.route('/api', rolloverRoutes(deps))
  app.route('/api', groupRoutes(deps))
  app.route('/api', workflowRoutes(deps))
  app.route('/api', indicatorProposalRoutes(deps)) // before indicatorRoutes: /indicators/proposals is not /indicators/:id
  app.route('/api', commonCandidateRoutes(deps)) // before indicatorRoutes: GET /indicators/:id
  app.route('/api', indicatorTransferRoutes(deps)) // before indicatorRoutes: /indicators/export and /indicators/versions are not /indicators/:id
  app.route('/api', indicatorUsageRoutes(deps)) // /indicators/:id/usage (one segment deeper than indicatorRoutes' /indicators/:id)
  app.route('/api', indicatorRoutes(deps))
  app.route('/api', backupRoutes(deps))
  const openApi = openApiDocument()
  app.get('/api/openapi.json', (c) => c.json(openApi))
  app.get('/api/docs', (c) => c.html(apiDocsPage(openApi)))
  app.all('/api/*', () => {
    throw new AppError('not_found', '接口不存在')
  })

  deps.mountCollab?.(app)

  const clientDir = deps.clientDir
  if (clientDir && fs.existsSync(path.join(clientDir, 'index.html'))) {
    const root = path.relative(process.cwd(), clientDir) || '.'
    // The build names every asset by its content's hash, so a browser may keep one for a year and a page
    // load after the first reads the Univer chunk (6 MB) from its cache; the pages themselves are revalidated
    // on every load, so a rebuild's new asset names are picked up at once. The build writes a brotli and a
    // gzip copy beside each (client/precompress.ts); a browser that accepts one gets it (6 MB → 1.4 MB).
    app.use('/assets/*', serveStatic({ root, precompressed: true, onFound: (_file, c) => { c.header('cache-control', ASSET_CACHE) } }))
    // Read per request (a small file): a client rebuild changes asset names without a restart.
    const index = () => fs.readFileSync(path.join(clientDir, 'index.html'), 'utf8')
    for (const page of PAGES) app.get(page, (c) => c.html(index(), 200, { 'cache-control': PAGE_CACHE }))
    app.get('/', (c) => c.redirect('/tables'))
    app.use('/*', serveStatic({ root }))
  }

  return app
}
