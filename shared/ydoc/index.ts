// Public surface of the Yjs shape of tables and comment threads.
export { TABLE_ROOT, ROW_LISTS, tableRoot, isLongText, toYValue, fromYValue, type RowList } from './shape.ts'
export { toYDoc, fromYDoc, yDocToJson, encodeTable } from './table-doc.ts'
export { setField, setRowField, insertRow, deleteRow, moveRow, replaceText, findRowIndex, getRow, rowIds, type FieldValue } from './edits.ts'
export {
  COMMENTS_ROOT, threadsRoot, addThread, addReply, setThreadStatus, setDisposition, readThreads, DISPOSITIONS, DISPOSITION_LABELS,
  type CommentAnchor, type CommentMessage, type CommentThread, type ThreadStatus, type Disposition,
} from './comments-doc.ts'
