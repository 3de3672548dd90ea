// The HTTP API's one contract (CONTRACT.md → HTTP API): request and answer schemas shared by the
// routes, the pages and the OpenAPI document.
export * as commonApi from './common.ts'
export * as tablesApi from './tables.ts'
export * as reviewApi from './review.ts'
export * as directoryApi from './directory.ts'
export * as exportApi from './export.ts'
export * as sessionsApi from './sessions.ts'
export * as importsApi from './imports.ts'
export * as registryApi from './registry.ts'
export * as libraryApi from './library.ts'
