// The API's OpenAPI 3.1 document, generated from the same zod schemas the routes validate with and the
// pages infer their types from (shared/api). One table of operations; a test checks it names exactly
// the routes the app serves, so the document cannot drift from the code.
import { z } from 'zod'
import { auditAnswer, auditQuery } from '../../shared/api/audit.ts'
import { errorBody } from '../../shared/api/common.ts'
import { departmentListAnswer, loginAnswer, meAnswer, userListAnswer } from '../../shared/api/directory.ts'
import { passwordChangeBody, passwordResetBody, revokeAnswer, sessionListAnswer, userAnswer, userPatchBody } from '../../shared/api/sessions.ts'
import {
  cityOpinionsQuery, diffAnswer, diffQuery, historyAnswer, historyQuery, opinionsAnswer, opinionsQuery, reviewAnswer, reviewBody, roundsAnswer, versionAnswer, versionsAnswer,
} from '../../shared/api/review.ts'
import { departmentImportAnswer, tableImportAnswer, tableImportFields } from '../../shared/api/imports.ts'
import { compilationAccepted, compilationBody, compilationList, compilationStatus, exportQuery, zipExportBody } from '../../shared/api/export.ts'
import { createIndicatorBody, indicatorAnswer, indicatorEntry, indicatorListAnswer, indicatorListQuery, patchIndicatorBody, synonymsAnswer, synonymsBody } from '../../shared/api/library.ts'
import { candidatesAnswer, candidatesQuery, promoteAnswer, promoteCandidateBody } from '../../shared/api/library-mining.ts'
import { exportQuery as libraryExportQuery, libraryImportReport, libraryVersion, libraryVersionsAnswer, publishVersionBody } from '../../shared/api/library-transfer.ts'
import { usageAnswer, usageQuery } from '../../shared/api/library-usage.ts'
import { createProposalBody, decideProposalBody, deleteIndicatorAnswer, deleteIndicatorBody, proposalAnswer, proposalListAnswer, proposalListQuery } from '../../shared/api/library-proposals.ts'
import { assignBody, assignmentListAnswer, assignmentListQuery, unassignQuery } from '../../shared/api/assignments.ts'
import { materialFile, materialItem, materialStatusBody, materialUploadFields, materialsAnswer, materialsQuery } from '../../shared/api/materials.ts'
import { rolloverAnswer, rolloverBody } from '../../shared/api/rollover.ts'
import { createGroupBody, group, groupListAnswer, groupListQuery, propagateBody, propagationReport, updateGroupBody } from '../../shared/api/groups.ts'
import { deadlineBody, deadlineListAnswer, deadlineListQuery, ledgerAnswer, ledgerQuery, overviewAnswer, overviewQuery, stageBody, stageInfo } from '../../shared/api/workflow.ts'
import { registryAliasAnswer, registryAliasBody, registryImportAnswer, registryImportFields, registryListAnswer, registryListQuery, registryTablesAnswer, registryTablesBody } from '../../shared/api/registry.ts'
import { createTableBody, deleteTableBody, tableDetail, tableListAnswer, tableListQuery, transitionAnswer, transitionBody } from '../../shared/api/tables.ts'
import { recommendationAnswer, recommendationQuery } from '../../shared/api/recommendations.ts'
import { SESSION_COOKIE } from '../auth/session.ts'
import { loginSchema } from './routes/auth.ts'
import { departmentSchema, userSchema } from './routes/directory.ts'

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

export interface ApiOperation {
  method: Method
  /** Hono syntax, e.g. /api/tables/:id/transitions */
  path: string
  summary: string
  /** who may call it (CONTRACT.md → Roles) */
  who: string
  tag: string
  query?: z.ZodObject
  body?: z.ZodType
  /** the JSON answer; omitted for answers described only in words */
  answer?: z.ZodType
  /** file answers (media types) besides or instead of JSON */
  files?: readonly string[]
  /** a multipart/form-data upload: an xlsx `file` plus these text fields (alone, or besides a JSON `body`) */
  upload?: z.ZodObject
  status?: number
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const anyJson = z.unknown()
const findingsAnswer = z.object({ findings: z.array(z.object({ ruleId: z.string(), severity: z.enum(['error', 'warning', 'info']), path: z.string(), rowId: z.string().optional(), message: z.string() })) })

export const OPERATIONS: readonly ApiOperation[] = [
  { method: 'post', path: '/api/auth/login', tag: '登录', summary: '登录，返回令牌并设置会话 Cookie', who: '任何人', body: loginSchema, answer: loginAnswer },
  { method: 'post', path: '/api/auth/logout', tag: '登录', summary: '退出登录（吊销会话）', who: '已登录' },
  { method: 'get', path: '/api/auth/me', tag: '登录', summary: '当前用户', who: '已登录', answer: meAnswer },
  { method: 'post', path: '/api/auth/password', tag: '登录', summary: '修改自己的密码（须填原密码）；其他会话全部吊销、其实时连接断开，本会话保留', who: '已登录', body: passwordChangeBody, answer: revokeAnswer },
  { method: 'get', path: '/api/departments', tag: '部门与用户', summary: '部门、单位和镇街', who: '已登录', answer: departmentListAnswer },
  { method: 'post', path: '/api/departments', tag: '部门与用户', summary: '新建部门、单位或镇街', who: '财政局', body: departmentSchema, status: 201 },
  { method: 'post', path: '/api/departments/import', tag: '部门与用户', summary: '从 xlsx 导入部门名单（代码、名称、类型、上级代码；或按代码前缀归属的一体化清单）：已有代码更新名称、类型和上级，不重复创建；有错误的行逐行报告、不导入，其余在一个事务中保存；dryRun=1 只预览', who: '财政局', query: z.object({ dryRun: z.enum(['1', 'true']).optional() }), upload: z.object({}), answer: departmentImportAnswer },
  { method: 'get', path: '/api/users', tag: '部门与用户', summary: '用户列表', who: '财政局', answer: userListAnswer },
  { method: 'post', path: '/api/users', tag: '部门与用户', summary: '新建用户', who: '财政局', body: userSchema, status: 201 },
  { method: 'patch', path: '/api/users/:id', tag: '部门与用户', summary: '停用或启用用户；停用时吊销其全部会话并断开其实时连接', who: '财政局', body: userPatchBody, answer: userAnswer },
  { method: 'put', path: '/api/users/:id/password', tag: '部门与用户', summary: '重置用户密码；吊销其全部会话（重置自己的密码时保留本会话）并断开其实时连接', who: '财政局', body: passwordResetBody, answer: revokeAnswer },
  { method: 'get', path: '/api/users/:id/sessions', tag: '部门与用户', summary: '用户的有效会话：登录时间、最近使用、到期时间（绝对与闲置）、地址和浏览器；不含令牌', who: '财政局', answer: sessionListAnswer },
  { method: 'delete', path: '/api/users/:id/sessions/:sessionId', tag: '部门与用户', summary: '吊销用户的一个会话并断开其实时连接', who: '财政局', answer: revokeAnswer },
  { method: 'delete', path: '/api/users/:id/sessions', tag: '部门与用户', summary: '吊销用户的全部会话并断开其实时连接', who: '财政局', answer: revokeAnswer },
  { method: 'get', path: '/api/tables', tag: '绩效目标表', summary: '可查看的绩效目标表（分页、筛选、排序；total 为全部匹配数）', who: '已登录（按权限范围）', query: tableListQuery, answer: tableListAnswer },
  { method: 'post', path: '/api/tables', tag: '绩效目标表', summary: '新建绩效目标表（空白官方表样或给定内容）', who: '本部门编辑者、财政局', body: createTableBody, status: 201 },
  { method: 'post', path: '/api/tables/import', tag: '绩效目标表', summary: '从 xlsx 导入绩效目标表（官方表样及常见地方表样；一个工作表一张表，一体化平铺表一个项目一张）：报告列出每处规范化（单元格、原文、导入值）和未能放置的单元格（保留在表的 unplaced 中），以及审核提示数；全部表在一个事务中创建；dryRun=1 只预览、不保存', who: '本部门编辑者、财政局', query: z.object({ dryRun: z.enum(['1', 'true']).optional() }), upload: tableImportFields, answer: tableImportAnswer, status: 201 },
  { method: 'get', path: '/api/tables/:id', tag: '绩效目标表', summary: '一张表：状态、轮次、版本、审核提示数、未解决意见数、当前用户可执行的操作和内容', who: '可查看者', answer: tableDetail },
  { method: 'delete', path: '/api/tables/:id', tag: '绩效目标表', summary: '删除（离开所有列表，记入审计日志）', who: '财政局；部门仅限本部门草稿', body: deleteTableBody },
  { method: 'get', path: '/api/tables/:id/recommendations', tag: '指标库', summary: '为本表推荐指标库中的指标：本类核心指标（★）在前，按功能分类、项目类型、部门、名称和目标的词语、同类及本部门已批复表的使用情况、空缺或未通过审核的二级指标排序，每条附中文理由；表中已有的指标不再推荐', who: '本表编辑者', query: recommendationQuery, answer: recommendationAnswer },
  { method: 'get', path: '/api/tables/:id/findings', tag: '绩效目标表', summary: '服务器按审核规则给出的审核提示', who: '可查看者', answer: findingsAnswer },
  { method: 'get', path: '/api/tables/:id/comments', tag: '征求意见', summary: '审核意见（批注）及其回复和状态', who: '可查看者', query: z.object({ round: z.string().optional() }) },
  { method: 'get', path: '/api/tables/:id/participants', tag: '征求意见', summary: '在该表发表过意见的人的姓名', who: '可查看者' },
  { method: 'post', path: '/api/tables/:id/transitions', tag: '流程', summary: '报送、退回修改（须填原因）、审核通过、调整（财政局，须填原因）；409 blocked 列出错误和未解决意见，409 conflict 表示状态已被他人改变', who: '按角色', body: transitionBody, answer: transitionAnswer },
  { method: 'get', path: '/api/tables/:id/rounds', tag: '征求意见', summary: '各轮征求意见：报送人、时间、意见数、评审等级和结论', who: '可查看者', answer: roundsAnswer },
  { method: 'put', path: '/api/tables/:id/rounds/:n/review', tag: '征求意见', summary: '按完整性、相关性、适当性、可行性评审一轮（优/良/中/差）并给出结论', who: '财政局、负责该部门的第三方机构', body: reviewBody, answer: reviewAnswer },
  { method: 'get', path: '/api/tables/:id/rounds/:n/opinions', tag: '征求意见', summary: '一轮的意见汇总表（JSON 或 xlsx）', who: '可查看者', query: opinionsQuery, answer: opinionsAnswer, files: [XLSX] },
  { method: 'get', path: '/api/opinions', tag: '征求意见', summary: '一个部门（含下属单位）某年度所有表的意见汇总表', who: '可查看者（按权限范围）', query: cityOpinionsQuery, answer: opinionsAnswer, files: [XLSX] },
  { method: 'get', path: '/api/tables/:id/export', tag: '导出', summary: '按表样官方版式导出一张表（xlsx 或 PDF）；不指定版本时，已批复的表导出批复版本，其他导出当前内容并标明草稿；公开版不含涉密表和个人姓名、电话', who: '可查看者（不能查看时 403）', query: exportQuery, files: [XLSX, 'application/pdf'] },
  { method: 'post', path: '/api/tables/export', tag: '导出', summary: '所选表格打包为 zip（每张一个文件，最多 50 张）；有不能导出的表时整体拒绝并列出原因', who: '可查看者', body: zipExportBody, files: ['application/zip'] },
  { method: 'get', path: '/api/tables/:id/versions', tag: '版本', summary: '冻结的版本（每次报送和批复）', who: '可查看者', answer: versionsAnswer },
  { method: 'get', path: '/api/tables/:id/versions/:v', tag: '版本', summary: '一个冻结版本及其内容', who: '可查看者', answer: versionAnswer },
  { method: 'get', path: '/api/tables/:id/diff', tag: '版本', summary: '两个版本（或 live）之间按行编号的字段级差异，含修改人', who: '可查看者', query: diffQuery, answer: diffAnswer },
  { method: 'get', path: '/api/tables/:id/history', tag: '版本', summary: '修改历史：谁在何时改了哪个字段，以及每次流转及其原因', who: '可查看者', query: historyQuery, answer: historyAnswer },
  { method: 'get', path: '/api/audit', tag: '审计', summary: '一个部门（含下属单位）的审计记录：其表格上的操作和其人员的操作，新的在前', who: '财政局', query: auditQuery, answer: auditAnswer },
  { method: 'post', path: '/api/compilations', tag: '汇编成册', summary: '汇编成册：所选年度、部门（含下属单位）和表类型的审核通过表，按部门顺序生成一本 xlsx 或 PDF（后台任务，202 返回任务号和表数；超过 5000 张表拒绝）', who: '财政局', body: compilationBody, answer: compilationAccepted, status: 202 },
  { method: 'get', path: '/api/compilations', tag: '汇编成册', summary: '汇编任务列表（新的在前）：状态、进度、失败的表和文件', who: '财政局', answer: compilationList },
  { method: 'get', path: '/api/compilations/:jobId', tag: '汇编成册', summary: '一个汇编任务：状态、进度（done/total、预计剩余秒数）、失败的表、文件', who: '财政局', answer: compilationStatus },
  { method: 'get', path: '/api/compilations/:jobId/file', tag: '汇编成册', summary: '下载汇编文件（xlsx 或 PDF，中文文件名）；未完成时 409', who: '财政局', files: [XLSX, 'application/pdf'] },
  { method: 'delete', path: '/api/compilations/:jobId', tag: '汇编成册', summary: '取消排队中或生成中的汇编；已结束的汇编删除其文件和记录', who: '财政局', answer: compilationStatus },
  { method: 'post', path: '/api/registry/import', tag: '项目统计表', summary: '从 xlsx 导入项目统计表（附件2）：每个项目按代码、名称或已对应的别名匹配部门；重新导入按“预算单位＋项目名称”更新，不重复登记；未能匹配的部门列在 unknownDepartments 中待财政局对应，不自动创建；整个文件一个事务；dryRun=1 只预览', who: '财政局、第三方机构', query: z.object({ dryRun: z.enum(['1', 'true']).optional() }), upload: registryImportFields, answer: registryImportAnswer },
  { method: 'get', path: '/api/registry', tag: '项目统计表', summary: '某年度已登记的项目（全部返回，total 为总数）：部门、单位、金额、功能分类、类别、涉密和已建的绩效目标表；财政局和第三方机构另见待对应的部门', who: '已登录（按权限范围）', query: registryListQuery, answer: registryListAnswer },
  { method: 'post', path: '/api/registry/aliases', tag: '项目统计表', summary: '把项目统计表中的部门代码或名称对应到已有部门（以后导入自动识别），并把等待该部门的项目归入其中', who: '财政局', body: registryAliasBody, answer: registryAliasAnswer },
  { method: 'post', path: '/api/registry/tables', tag: '项目统计表', summary: '为尚未建表的登记项目（或所选项目）创建绩效目标表，表头预填项目名称、主管部门、实施单位、功能分类、项目类别、资金来源、年度资金总额、涉密和项目负责人；已有表的项目不重复创建；未对应部门或无权限的项目列在 skipped 中', who: '财政局；第三方机构和部门限本人负责的部门', body: registryTablesBody, answer: registryTablesAnswer },
  { method: 'post', path: '/api/rollover', tag: '年度结转', summary: '年度结转：以结转年度已批复的表生成目标年度（默认下一年）的表——非一次性项目表结转为延续项目，指标及其指标值保留为上年值并在备注中标记“上年指标值，待复核”（上年指标另存为 priorYear），年度资金清空待填；部门整体表连同年度主要任务结转；一次性、未批复、已结转、已结束的项目列在 leftOut 中；目标年度已有非结转生成的表的部门整体拒绝（refused）；重复结转不会重复创建；整个请求一个事务；dryRun=true 只预览', who: '财政局；部门限本部门及所属单位；第三方机构限目标年度分工的部门', body: rolloverBody, answer: rolloverAnswer },
  { method: 'get', path: '/api/groups', tag: '同质化部门组与示范点', summary: '某年度（或全部年度）的同质化部门组和示范点组：成员、来源表（共享指标集所在的表）、最近一次下发时间；第三方机构只见成员全部由本机构负责的组', who: '财政局、第三方机构', query: groupListQuery, answer: groupListAnswer },
  { method: 'post', path: '/api/groups', tag: '同质化部门组与示范点', summary: '新建组：一个部门一年只属于一个组（已在其他组的部门返回 409 并指明该组，并发时由唯一索引保证）；示范点组的成员必须是镇街，来源表必须已批复且属于成员镇街；来源表必须是组的年度的表；记入审计日志', who: '财政局；第三方机构限本机构该年度负责的部门', body: createGroupBody, answer: group, status: 201 },
  { method: 'patch', path: '/api/groups/:id', tag: '同质化部门组与示范点', summary: '修改组名、成员或来源表（与新建相同的检查）；记入审计日志', who: '财政局；第三方机构限成员全部由本机构负责的组', body: updateGroupBody, answer: group },
  { method: 'delete', path: '/api/groups/:id', tag: '同质化部门组与示范点', summary: '删除组及其下发记录（成员的表保留）；记入审计日志', who: '财政局；第三方机构限成员全部由本机构负责的组', status: 204 },
  { method: 'post', path: '/api/groups/:id/propagate', tag: '同质化部门组与示范点', summary: '下发共享指标集（来源表的全部指标行，年度与中期各保留其期间）到每个成员同年度同类的表（项目表按项目名称匹配），缺表时由来源表生成（表头改为成员、金额清空）；已批复、已报送的表跳过并说明，不写入；来源表所在部门跳过；每个成员在其实时文档中一次写入（在线编辑者即时看到，记入修改历史）；成员改过的行保留（keep），成员删除的行不恢复，来源删除的行只在成员未改时删除；dryRun=true 只返回将发生的变化，不写入', who: '财政局；第三方机构限成员全部由本机构负责的组', body: propagateBody, answer: propagationReport },
  { method: 'get', path: '/api/assignments', tag: '第三方机构分工', summary: '各年度第三方机构负责的部门（含难度分类）；第三方机构只见本机构的分工', who: '财政局、第三方机构', query: assignmentListQuery, answer: assignmentListAnswer },
  { method: 'post', path: '/api/assignments', tag: '第三方机构分工', summary: '把部门（含其下属单位）分配给第三方机构负责某年度的绩效目标表：全部成功或全部不变；一个部门一年只分配给一家机构，已分配给其他机构的部门返回 409 并指明；分配即时生效（已打开的协同连接随即重新鉴权）', who: '财政局', body: assignBody, answer: assignmentListAnswer },
  { method: 'delete', path: '/api/assignments', tag: '第三方机构分工', summary: '取消某年度某部门的分工；该机构已打开的协同连接随即失去写权限', who: '财政局', query: unassignQuery },
  { method: 'get', path: '/api/overview', tag: '工作进度', summary: '年度工作总览：全部部门（按代码，各部门后接其下属单位）和镇街，各自的表格按状态计数、错误和警告数、未解决意见、工作阶段（部门含下属单位的表；单位显示所属部门的阶段）、第三方机构、难度分类、截止日期与逾期天数（按财政局所在地日期 UTC+8 判断）、最后活动时间，以及合计；format=xlsx 导出（逾期行浅红底）', who: '财政局', query: overviewQuery, answer: overviewAnswer, files: [XLSX] },
  { method: 'get', path: '/api/ledger', tag: '工作进度', summary: '工作台账：每条分工一行——工作阶段、部门及下属单位的表格按状态计数、当前轮次、未解决意见、错误数、最后活动、资料清单（已收到/不适用/未收到/文件数）、截止日期；财政局看全部或某一机构（consultantId），第三方机构只看本机构（请求其他机构 403）；format=xlsx 导出', who: '财政局、第三方机构', query: ledgerQuery, answer: ledgerAnswer, files: [XLSX] },
  { method: 'get', path: '/api/deadlines', tag: '工作进度', summary: '某年度各工作阶段的截止日期', who: '财政局、第三方机构', query: deadlineListQuery, answer: deadlineListAnswer },
  { method: 'put', path: '/api/deadlines', tag: '工作进度', summary: '设置（dueDate 为日期）或清除（dueDate 为 null）某年度某工作阶段的截止日期，记入审计日志；早于今天（财政局所在地日期）的日期和“资料收集”阶段拒绝（invalid_input）；应答该年度全部截止日期', who: '财政局', body: deadlineBody, answer: deadlineListAnswer },
  { method: 'put', path: '/api/departments/:id/stage', tag: '工作进度', summary: '手动设置部门（或镇街）某年度的工作阶段（stage 为 null 清除），记入审计日志；显示的阶段取手动阶段与由表格推出的阶段中较后者（手动设置不会使阶段倒退）；下属单位拒绝（invalid_input，指明所属部门）；应答设置后的阶段', who: '财政局；该年度负责该部门的第三方机构', body: stageBody, answer: stageInfo },
  { method: 'get', path: '/api/departments/:id/materials', tag: '资料清单', summary: '部门某年度的资料清单：十二项资料（tables.md §11）各自的状态（未收到/已收到/不适用）、说明、最后修改人和已上传的文件；received 为已收到项数，total 为适用项数（12 减不适用）；access 说明调用者能否修改和下载', who: '财政局；本部门及所属单位的用户；负责该部门的第三方机构（本部门成员或该年度分工）；全市只读账号只读（不能下载文件）；其他人 404', query: materialsQuery, answer: materialsAnswer },
  { method: 'put', path: '/api/departments/:id/materials/:item', tag: '资料清单', summary: '设置一项资料（item 为 1–12）的状态和说明（不带 note 时说明不变），记入审计日志', who: '财政局；本部门用户；负责该部门的第三方机构', body: materialStatusBody, answer: materialItem },
  { method: 'post', path: '/api/departments/:id/materials/:item/files', tag: '资料清单', summary: '为一项资料上传一个文件（任意类型，每个文件最多 20 MB，每项最多 50 个文件；文件名只保留最后一段，去掉控制字符，最长 120 个字符），保存在数据库中，记入审计日志；超过大小的请求 413，不读入内存', who: '财政局；本部门用户；负责该部门的第三方机构', query: materialsQuery, upload: materialUploadFields, answer: materialFile, status: 201 },
  { method: 'get', path: '/api/materials/files/:fileId', tag: '资料清单', summary: '下载资料文件（作为附件，Content-Disposition 带 UTF-8 文件名；已知的安全类型按原类型，其余 application/octet-stream；nosniff）；范围外的文件 404', who: '财政局；本部门用户（含只读账号）；负责该部门的第三方机构', files: ['application/octet-stream'] },
  { method: 'delete', path: '/api/materials/files/:fileId', tag: '资料清单', summary: '删除资料文件，记入审计日志（文件名、大小、SHA-256）', who: '财政局；本部门用户；负责该部门的第三方机构' },
  { method: 'get', path: '/api/indicators', tag: '指标库', summary: '检索指标库：按三级指标名称（整词、分词、同义词、拼音首字母或全拼、一字之差容错）、指标解释和计算方法匹配，按匹配程度、使用次数、名称排序，每条附匹配原因；可按一级、二级、功能分类、共性/个性、部门、核心指标筛选；total 为全部匹配数；搜索词超过 200 个字符时 400', who: '已登录', query: indicatorListQuery, answer: indicatorListAnswer },
  { method: 'get', path: '/api/indicators/synonyms', tag: '指标库', summary: '检索用的同义词组（如 满意度/满意率）', who: '已登录', answer: synonymsAnswer },
  { method: 'put', path: '/api/indicators/synonyms', tag: '指标库', summary: '替换全部同义词组（检索随即生效）', who: '财政局', body: synonymsBody, answer: synonymsAnswer },
  { method: 'get', path: '/api/indicators/export', tag: '指标库', summary: '指标库导出为 xlsx（工作表“指标库”，每条指标一行，列同导入，表头冻结；功能分类以“、”连接，部门写名称，核心指标写 ★）；带 version 时导出该已发布版本当时的指标', who: '财政局、第三方机构', query: libraryExportQuery, files: [XLSX] },
  { method: 'post', path: '/api/indicators/import', tag: '指标库', summary: '从 xlsx 导入指标库（表头按列名识别，列序不限，多余列列入 notes）：有指标编号且库中已有的行修改该指标（记入修改历史，原因“导入：文件名”），与库中相同的计为未变，其余新增；每行整行导入或整行不导入，rejected 列出每个未导入的行（行号、列、问题、原因），从不截断；全部有效行在一个事务中写入；dryRun=1 只预览', who: '财政局', query: z.object({ dryRun: z.enum(['1', 'true']).optional() }), upload: z.object({}), answer: libraryImportReport, status: 201 },
  { method: 'get', path: '/api/indicators/versions', tag: '指标库', summary: '指标库版本（按预算年度，新的在前）：每个版本的条目数、发布人、说明和记录该版本的表数', who: '已登录', answer: libraryVersionsAnswer },
  { method: 'post', path: '/api/indicators/versions', tag: '指标库', summary: '发布指标库版本：把当前指标库冻结为该预算年度的下一个版本；此后新建的该年度的表记录此版本', who: '财政局', body: publishVersionBody, answer: libraryVersion, status: 201 },
  { method: 'get', path: '/api/indicators/:id/usage', tag: '指标库', summary: '指标的使用情况（审核通过时学习）：被多少张已审核通过的表使用、涉及多少个部门（全市计数），常见指标值（按表数从多到少）、同一单位时的数值范围、各表的写法，以及使用该指标的表（只列调用者可查看的表；涉密表的数值只对可查看者计入）；可按年度筛选，分页，total 为可查看的使用条数', who: '已登录', query: usageQuery, answer: usageAnswer },
  { method: 'get', path: '/api/indicators/:id', tag: '指标库', summary: '一条指标及其修改历史（每个版本：修改人、原因、修改前后）', who: '已登录', answer: indicatorAnswer },
  { method: 'post', path: '/api/indicators', tag: '指标库', summary: '新增指标（记为版本 1）', who: '财政局、第三方机构', body: createIndicatorBody, answer: indicatorAnswer, status: 201 },
  { method: 'patch', path: '/api/indicators/:id', tag: '指标库', summary: '修改指标（须填修改原因；版本加一并记入历史；带 version 时他人已改则 409）', who: '财政局、第三方机构', body: patchIndicatorBody, answer: indicatorAnswer },
  { method: 'get', path: '/api/indicators/proposals', tag: '指标库', summary: '指标建议列表：待处理的在前，再按提出时间从新到旧；每条附所涉指标的现状（current，已删除时为 null）；total 为全部条数', who: '财政局看全部；其他角色只看本部门的', query: proposalListQuery, answer: proposalListAnswer },
  { method: 'post', path: '/api/indicators/proposals', tag: '指标库', summary: '提出指标建议：新增指标（add，完整字段）或修改已有指标（change，改动的字段和所读的版本），须填建议理由；财政局和第三方机构直接修改指标库（403）', who: '部门', body: createProposalBody, answer: proposalAnswer, status: 201 },
  { method: 'post', path: '/api/indicators/proposals/:id/accept', tag: '指标库', summary: '采纳指标建议：新增或修改指标（记入修改历史，原因为“采纳部门建议：…”），与建议状态在同一事务；指标已被删除或建议已处理时 409', who: '财政局', body: decideProposalBody, answer: proposalAnswer },
  { method: 'post', path: '/api/indicators/proposals/:id/reject', tag: '指标库', summary: '不采纳指标建议（须填处理意见）；建议已处理时 409', who: '财政局', body: decideProposalBody, answer: proposalAnswer },
  { method: 'delete', path: '/api/indicators/:id', tag: '指标库', summary: '删除指标（须填删除原因；修改历史保留并记一条删除记录；待处理的修改建议保留，其 current 为 null）；应答被删除的指标', who: '财政局', body: deleteIndicatorBody, answer: deleteIndicatorAnswer },
  { method: 'get', path: '/api/indicators/common-candidates', tag: '指标库', summary: '共性指标候选：该年度审核通过的表中在多个部门以相同或近似名称（同义词、近似名称）出现的指标聚类（名称变体、部门、数值范围、常见指标值、已在指标库的条目），按部门数从多到少；附最近一次分析的状态（none/queued/running/done/failed）和进度；分析进行中仍答复上一次的结果', who: '财政局、第三方机构', query: candidatesQuery, answer: candidatesAnswer },
  { method: 'post', path: '/api/indicators/common-candidates', tag: '指标库', summary: '开始分析该年度的共性指标候选（后台任务，服务重启后重做）；该年度已有排队或进行中的分析时不再新建，答复 200 与该分析的状态，否则 202', who: '财政局、第三方机构', query: candidatesQuery, answer: candidatesAnswer, status: 202 },
  { method: 'post', path: '/api/indicators/common-candidates/promote', tag: '指标库', summary: '把一个候选加入指标库：新建共性指标（可改名称、一级、二级、指标值、解释；修改历史原因为“由共性指标候选生成：各名称”），可把各名称加为一组同义词；指标库已有该指标时只补充同义词（created=false，200）', who: '财政局', body: promoteCandidateBody, answer: promoteAnswer, status: 201 },
  { method: 'get', path: '/api/admin/backup', tag: '运维', summary: '整个数据库的一致快照备份文件（gzip JSON 行，见 README → 备份与恢复）；由 npm run backup 调用', who: '持有本机备份令牌者（服务器启动时写入数据目录 backup-endpoint.json）', files: ['application/gzip'] },
  { method: 'post', path: '/api/validate', tag: '审核规则', summary: '按审核规则检查提交的内容，不保存：JSON 的 content 应答 {findings}；multipart 上传的 xlsx（官方或常见地方表样，可含多张表）应答每张表的审核提示和导入报告', who: '已登录', body: z.object({ content: anyJson }), upload: z.object({ year: z.string().optional().describe('标题未写年度的表按此年度检查') }) },
  { method: 'get', path: '/api/schema/table', tag: '审核规则', summary: '绩效目标表的 JSON Schema', who: '已登录' },
  { method: 'get', path: '/api/openapi.json', tag: '文档', summary: '本文档（OpenAPI 3.1）', who: '任何人' },
  { method: 'get', path: '/api/docs', tag: '文档', summary: '接口参考页', who: '任何人' },
]

const toOpenApiPath = (p: string) => p.replace(/:([A-Za-z]+)/g, '{$1}')

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>
  delete out.$schema
  return out
}

const ERROR_RESPONSE = { description: '错误：{"error":{"code","message","details"}}，code 为稳定的机器码，message 为中文说明', content: { 'application/json': { schema: jsonSchema(errorBody, 'output') } } }

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of OPERATIONS) {
    const params: unknown[] = [...op.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
    if (op.query) {
      const shape = jsonSchema(op.query, 'input') as { properties?: Record<string, unknown>; required?: string[] }
      for (const [name, schema] of Object.entries(shape.properties ?? {})) params.push({ name, in: 'query', required: shape.required?.includes(name) ?? false, schema })
    }
    const content: Record<string, unknown> = op.answer ? { 'application/json': { schema: jsonSchema(op.answer, 'output') } } : { 'application/json': {} }
    for (const media of op.files ?? []) content[media] = { schema: { type: 'string', format: 'binary' } }
    const operation: Record<string, unknown> = {
      tags: [op.tag],
      summary: op.summary,
      description: `权限：${op.who}`,
      parameters: params,
      responses: { [String(op.status ?? 200)]: { description: '成功', content }, default: ERROR_RESPONSE },
    }
    const bodies: Record<string, unknown> = {}
    if (op.body) bodies['application/json'] = { schema: jsonSchema(op.body, 'input') }
    if (op.upload) {
      const fields = jsonSchema(op.upload, 'input') as { properties?: Record<string, unknown>; required?: string[] }
      bodies['multipart/form-data'] = {
        schema: { type: 'object', properties: { file: { type: 'string', format: 'binary', description: 'xlsx 文件' }, ...fields.properties }, required: ['file', ...(fields.required ?? [])] },
      }
    }
    if (op.body || op.upload) operation.requestBody = { required: true, content: bodies }
    ;(paths[toOpenApiPath(op.path)] ??= {})[op.method] = operation
  }
  return {
    openapi: '3.1.0',
    info: { title: 'target-tables 绩效目标表协同编审 API', version: '1.0.0', description: '登录后以会话 Cookie 或 Authorization: Bearer <token> 调用。' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
  }
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

/** A readable reference page: operations grouped by tag, each with its parameters and schemas. */
export function apiDocsPage(doc = openApiDocument()): string {
  const ops = OPERATIONS
  const tags = [...new Set(ops.map((o) => o.tag))]
  const paths = doc.paths as Record<string, Record<string, { parameters: { name: string; in: string; required: boolean }[]; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>
  const section = (tag: string) => {
    const items = ops.filter((o) => o.tag === tag).map((o) => {
      const d = paths[toOpenApiPath(o.path)]![o.method]!
      const params = d.parameters.map((p) => `<code>${escape(p.name)}</code>（${p.in === 'path' ? '路径' : '查询'}${p.required ? '，必填' : ''}）`).join('、')
      const body = d.requestBody
        ? Object.entries(d.requestBody.content).map(([media, c]) => `<details><summary>请求体（${escape(media)}）</summary><pre>${escape(JSON.stringify(c.schema, null, 2))}</pre></details>`).join('')
        : ''
      const ok = Object.entries(d.responses).find(([k]) => k !== 'default')
      const answer = ok?.[1].content?.['application/json']?.schema ? `<details><summary>应答</summary><pre>${escape(JSON.stringify(ok[1].content['application/json'].schema, null, 2))}</pre></details>` : ''
      return `<section class="op" id="${o.method}-${escape(o.path)}"><h3><span class="m ${o.method}">${o.method.toUpperCase()}</span> <code>${escape(o.path)}</code></h3><p>${escape(o.summary)}</p><p class="who">权限：${escape(o.who)}${params ? `；参数：${params}` : ''}</p>${body}${answer}</section>`
    })
    return `<h2>${escape(tag)}</h2>${items.join('')}`
  }
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>接口参考 · 绩效目标表协同编审</title><style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:980px;margin:24px auto;padding:0 16px;color:#1f2933}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #d9e2ec;padding-bottom:4px}h3{font-size:15px;margin:0 0 4px}
.op{border:1px solid #e4e7eb;border-radius:6px;padding:10px 14px;margin:10px 0}.who{color:#52606d;font-size:13px}
.m{display:inline-block;min-width:56px;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:1px 4px}.get{background:#2680c2}.post{background:#3f9142}.put{background:#c99a2e}.delete{background:#ba2525}.patch{background:#7c5e10}
pre{background:#f5f7fa;padding:8px;overflow:auto;font-size:12px}</style></head><body>
<h1>绩效目标表协同编审 · 接口参考</h1><p>机器可读版本：<a href="/api/openapi.json">/api/openapi.json</a>（OpenAPI 3.1）。错误统一为 <code>{"error":{"code","message","details"}}</code>。</p>
${tags.map(section).join('')}</body></html>`
}
