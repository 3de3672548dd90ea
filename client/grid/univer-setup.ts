// Univer 0.25.1 in plugin mode: the plugins the target-table grid needs, registered in the order
// preset-sheets-core 0.25.1 uses (tech-brief §1), zh-CN locales, and the Facade API.
// This module pulls in the whole Univer bundle: import it only from the lazily loaded editor chunk.
import {
  AuthzIoLocalService, IAuthzIoService, Injector, LocaleType, mergeLocales, Univer, UniverInstanceType, UserManagerService,
  type IWorkbookData,
} from '@univerjs/core'
import { FUniver } from '@univerjs/core/facade'
import { SpreadsheetSkeleton, UniverRenderEnginePlugin } from '@univerjs/engine-render'
import { UniverFormulaEnginePlugin } from '@univerjs/engine-formula'
import { UniverUIPlugin } from '@univerjs/ui'
import { UniverDocsPlugin } from '@univerjs/docs'
import { UniverDocsUIPlugin } from '@univerjs/docs-ui'
import { UniverSheetsPlugin } from '@univerjs/sheets'
import { UniverSheetsUIPlugin } from '@univerjs/sheets-ui'
import { UniverSheetsNumfmtPlugin } from '@univerjs/sheets-numfmt'
import { UniverSheetsFormulaPlugin } from '@univerjs/sheets-formula'
import { UniverSheetsFormulaUIPlugin } from '@univerjs/sheets-formula-ui'
import { UniverSheetsNumfmtUIPlugin } from '@univerjs/sheets-numfmt-ui'
import { UniverDataValidationPlugin } from '@univerjs/data-validation'
import { UniverSheetsDataValidationPlugin } from '@univerjs/sheets-data-validation'
import { UniverSheetsDataValidationUIPlugin } from '@univerjs/sheets-data-validation-ui'
import { UniverThreadCommentPlugin } from '@univerjs/thread-comment'
import { UniverThreadCommentUIPlugin } from '@univerjs/thread-comment-ui'
import { UniverSheetsThreadCommentPlugin } from '@univerjs/sheets-thread-comment'
import { UniverSheetsThreadCommentUIPlugin } from '@univerjs/sheets-thread-comment-ui'

// Facade extensions are side-effect imports in plugin mode.
import '@univerjs/ui/facade'
import '@univerjs/docs-ui/facade'
import '@univerjs/engine-formula/facade'
import '@univerjs/sheets/facade'
import '@univerjs/sheets-ui/facade'
import '@univerjs/sheets-numfmt/facade'
import '@univerjs/sheets-formula/facade'
import '@univerjs/sheets-formula-ui/facade'
import '@univerjs/sheets-data-validation/facade'
import '@univerjs/sheets-thread-comment/facade'

import DesignZh from '@univerjs/design/locale/zh-CN'
import UIZh from '@univerjs/ui/locale/zh-CN'
import DocsUIZh from '@univerjs/docs-ui/locale/zh-CN'
import SheetsZh from '@univerjs/sheets/locale/zh-CN'
import SheetsUIZh from '@univerjs/sheets-ui/locale/zh-CN'
import SheetsFormulaZh from '@univerjs/sheets-formula/locale/zh-CN'
import SheetsFormulaUIZh from '@univerjs/sheets-formula-ui/locale/zh-CN'
import SheetsNumfmtUIZh from '@univerjs/sheets-numfmt-ui/locale/zh-CN'
import DVZh from '@univerjs/data-validation/locale/zh-CN'
import SheetsDVZh from '@univerjs/sheets-data-validation/locale/zh-CN'
import SheetsDVUIZh from '@univerjs/sheets-data-validation-ui/locale/zh-CN'
import TCUIZh from '@univerjs/thread-comment-ui/locale/zh-CN'
import SheetsTCUIZh from '@univerjs/sheets-thread-comment-ui/locale/zh-CN'

import '@univerjs/design/lib/index.css'
import '@univerjs/ui/lib/index.css'
import '@univerjs/docs-ui/lib/index.css'
import '@univerjs/sheets-ui/lib/index.css'
import '@univerjs/sheets-formula-ui/lib/index.css'
import '@univerjs/sheets-numfmt-ui/lib/index.css'
import '@univerjs/sheets-data-validation-ui/lib/index.css'
import '@univerjs/thread-comment-ui/lib/index.css'
import '@univerjs/sheets-thread-comment-ui/lib/index.css'

export interface GridUser { id: string; name: string; color?: string }

/**
 * Univer's local authz decides roles by the user id's prefix ("Owner_…", "Editor_…"), so a real user id
 * gets no rights at all and typing silently does nothing. In this grid the signed-in user owns the
 * local sheet model; what they may really do is decided by the server (writes refused there) and
 * mirrored here by the range protection and read-only mode.
 */
function ownerAuthz(injector: Injector): AuthzIoLocalService {
  const service = injector.createInstance(AuthzIoLocalService)
  // WATCH OUT: `_getRole` is private in the typings; 2 = UnitRole.Owner (@univerjs/protocol)
  ;(service as unknown as { _getRole(role: number): boolean })._getRole = (role) => role === 2
  return service
}

/**
 * Univer's own structural context-menu entries: rows and columns come from the template and the
 * table actions, so these would only be refused (binding.ts blocks their commands anyway).
 */
const HIDDEN_MENUS = Object.fromEntries(
  ['sheet.menu.cell-insert', 'sheet.menu.delete', 'sheet.menu.sheet-frozen', 'sheet.contextMenu.permission', 'sheet.contextMenu.text-to-number']
    .map((id) => [id, { hidden: true }]),
)

/**
 * WATCH OUT (performance, Univer 0.25.1): the sheet skeleton walks a merged cell's whole perimeter once
 * for every cell inside the merge — O(area × perimeter) getCell calls, each through all cell
 * interceptors. The form's tall merges (绩效指标 over 100 rows, 一级 over 40) made every repaint cost
 * ~0.5 s. A walk only depends on the merge and on the styles cache it fills, which is replaced on every
 * model change, so a repeated walk into the same cache is skipped. Remove when Univer dedupes it.
 */
function dedupeMergeBorderWalks(): void {
  type Walk = (this: unknown, type: string, cache: { border?: object } | undefined, m: { startRow: number; startColumn: number; endRow: number; endColumn: number }) => void
  const proto = SpreadsheetSkeleton.prototype as unknown as { _setMergeBorderProps: Walk; __ttDeduped?: boolean }
  if (proto.__ttDeduped || typeof proto._setMergeBorderProps !== 'function') return
  const original = proto._setMergeBorderProps
  const walked = new WeakMap<object, Set<string>>()
  proto._setMergeBorderProps = function (type, cache, m) {
    const border = cache?.border
    if (border) {
      let done = walked.get(border)
      if (!done) walked.set(border, (done = new Set()))
      const key = `${type}:${m.startRow}:${m.startColumn}:${m.endRow}:${m.endColumn}`
      if (done.has(key)) return
      done.add(key)
    }
    original.call(this, type, cache, m)
  }
  proto.__ttDeduped = true
}

export interface CreateUniverOptions {
  container: HTMLElement
  snapshot: Partial<IWorkbookData>
  user: GridUser
}

export interface UniverHandle {
  univer: Univer
  univerAPI: FUniver
  /** Univer's user registry: the signed-in user is the author of new comments. */
  users: UserManagerService
  dispose(): void
}

/**
 * Creates one Univer instance showing one workbook.
 * WATCH OUT: two instances in one page need different `snapshot.id`s (DOM ids derive from the unit id).
 */
export function createUniver({ container, snapshot, user }: CreateUniverOptions): UniverHandle {
  dedupeMergeBorderWalks()
  const univer = new Univer({
    override: [[IAuthzIoService, { useFactory: ownerAuthz, deps: [Injector] }]],
    locale: LocaleType.ZH_CN,
    locales: {
      [LocaleType.ZH_CN]: mergeLocales(
        DesignZh, UIZh, DocsUIZh, SheetsZh, SheetsUIZh, SheetsFormulaZh, SheetsFormulaUIZh, SheetsNumfmtUIZh,
        DVZh, SheetsDVZh, SheetsDVUIZh, TCUIZh, SheetsTCUIZh,
      ),
    },
  })
  // Styles are derived from the template, so Univer's formatting toolbar and sheet tabs are hidden;
  // the page supplies its own toolbar for the table actions.
  univer.registerPlugin(UniverDocsPlugin)
  univer.registerPlugin(UniverRenderEnginePlugin)
  univer.registerPlugin(UniverUIPlugin, { container, header: true, toolbar: false, footer: false, contextMenu: true, menu: HIDDEN_MENUS })
  univer.registerPlugin(UniverDocsUIPlugin)
  univer.registerPlugin(UniverFormulaEnginePlugin)
  univer.registerPlugin(UniverSheetsPlugin)
  univer.registerPlugin(UniverSheetsUIPlugin, {
    footer: false,
    // labels are locked by design; a hatched shadow over half the form would only say so loudly
    protectedRangeShadow: false,
    // amounts are text-formatted on purpose (exact decimals), not a mistake to flag
    disableForceStringAlert: true,
    disableForceStringMark: true,
  })
  univer.registerPlugin(UniverSheetsNumfmtPlugin, { disableTextFormatMark: true }) // no green corner on text-formatted amounts
  univer.registerPlugin(UniverSheetsNumfmtUIPlugin)
  univer.registerPlugin(UniverSheetsFormulaPlugin)
  univer.registerPlugin(UniverSheetsFormulaUIPlugin)
  univer.registerPlugin(UniverDataValidationPlugin)
  univer.registerPlugin(UniverSheetsDataValidationPlugin)
  univer.registerPlugin(UniverSheetsDataValidationUIPlugin)
  univer.registerPlugin(UniverThreadCommentPlugin)
  univer.registerPlugin(UniverThreadCommentUIPlugin)
  univer.registerPlugin(UniverSheetsThreadCommentPlugin)
  univer.registerPlugin(UniverSheetsThreadCommentUIPlugin)

  const users = univer.__getInjector().get(UserManagerService)
  // Set before the unit exists so nothing is ever attributed to Univer's random "Owner_xxx".
  users.setCurrentUser({ userID: user.id, name: user.name, avatar: '' })

  univer.createUnit(UniverInstanceType.UNIVER_SHEET, snapshot)
  const univerAPI = FUniver.newAPI(univer)
  return {
    univer,
    univerAPI,
    users,
    dispose() {
      univer.dispose()
    },
  }
}
