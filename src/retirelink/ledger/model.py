"""Ledger entries: the tamper-evident record of every write and every personal-data read."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

GENESIS_HASH = "0" * 64


class LedgerAction(StrEnum):
    PERSON_CREATE = "person.create"
    PERSON_READ = "person.read"
    PERSON_SEARCH = "person.search"
    EMPLOYER_CREATE = "employer.create"
    DEPARTMENT_CREATE = "department.create"
    USER_CREATE = "user.create"
    ROLE_GRANT = "user.grant"
    LOGIN_SUCCEEDED = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    ACCOUNT_LOCKED = "auth.locked"
    LOGOUT = "auth.logout"
    LEDGER_VERIFY = "ledger.verify"
    LEDGER_READ = "ledger.read"
    DEMO_LOAD = "demo.load"
    EXCHANGE_FILE_IMPORTED = "exchange.file_imported"
    EXCHANGE_FILE_REJECTED = "exchange.file_rejected"
    EXCHANGE_FILE_DUPLICATE = "exchange.file_duplicate"
    EXCHANGE_FILE_READ = "exchange.file_read"
    EXCHANGE_MESSAGE_APPLIED = "exchange.message_applied"
    EXCHANGE_MESSAGE_REJECTED = "exchange.message_rejected"
    EXCHANGE_MESSAGE_DUPLICATE = "exchange.message_duplicate"
    EXCHANGE_SYNC_APPLIED = "exchange.sync_applied"
    EXCHANGE_SYNC_REJECTED = "exchange.sync_rejected"
    EXCHANGE_SYNC_DUPLICATE = "exchange.sync_duplicate"
    EXCHANGE_SYNC_MISMATCH = "exchange.sync_mismatch"
    EXCHANGE_SYNC_RESTART = "exchange.sync_restart"
    EXCHANGE_ACCESS_REFUSED = "exchange.access_refused"
    EXCHANGE_REQUEST_DELIVERED = "exchange.request_delivered"
    EXCHANGE_REQUEST_FAILED = "exchange.request_failed"
    EXCHANGE_REQUEST_RETRY = "exchange.request_retry"
    EXCHANGE_VERIFICATION = "exchange.verification"
    EXCHANGE_DISPUTE_RESOLVED = "exchange.dispute_resolved"
    EXCHANGE_RECORDS_READ = "exchange.records_read"
    ARCHIVE_CREATE = "archive.create"
    ARCHIVE_MATERIAL_CATALOGUED = "archive.material_catalogued"
    ARCHIVE_BATCH_INGESTED = "archive.batch_ingested"
    ARCHIVE_WINDOW_CHECKED = "archive.window_checked"
    ARCHIVE_WAREHOUSED = "archive.warehoused"
    ARCHIVE_BATCH_RETURNED = "archive.batch_returned"
    ARCHIVE_FIXITY_CHECK = "archive.fixity_check"
    ARCHIVE_READ = "archive.read"
    ARCHIVE_PAGE_VIEW = "archive.page_view"
    ARCHIVE_SEARCH = "archive.search"
    ARCHIVE_FACT_REVIEWED = "archive.fact_reviewed"
    ARCHIVE_MATERIAL_FLAGGED = "archive.material_flagged"
    ARCHIVE_LENDING_REQUESTED = "archive.lending_requested"
    ARCHIVE_LENDING_DECIDED = "archive.lending_decided"
    ARCHIVE_VOLUME_FILED = "archive.volume_filed"
    ARCHIVE_VOLUME_APPRAISED = "archive.volume_appraised"
    PREREVIEW_RUN = "workflow.prereview_run"
    PREREVIEW_CHECKLIST = "workflow.prereview_checklist"
    PREREVIEW_READ = "workflow.prereview_read"
    NOTIFICATION_SENT = "workflow.notification_sent"
    APPLICATION_SUBMITTED = "workflow.application_submitted"
    APPLICATION_READ = "workflow.application_read"
    TASK_DECIDED = "workflow.task_decided"
    TASK_RETRIED = "workflow.task_retried"
    TASK_ESCALATED = "workflow.task_escalated"
    APPLICATION_DETERMINED = "workflow.application_determined"
    APPLICATION_REVIEWED = "workflow.application_reviewed"
    APPROVAL_FORM_ISSUED = "workflow.approval_form_issued"
    SUPPLEMENT_SUBMITTED = "workflow.supplement_submitted"
    SUPPLEMENT_ACCEPTED = "workflow.supplement_accepted"
    SUPPLEMENT_RETURNED = "workflow.supplement_returned"
    SUPPLEMENT_VIEWED = "workflow.supplement_viewed"
    PENSION_RECALCULATED = "workflow.pension_recalculated"
    FUND_RUN = "fund.run"
    FUND_FINDING_RAISED = "fund.finding_raised"
    FUND_FINDING_READ = "fund.finding_read"
    FUND_FINDING_DECIDED = "fund.finding_decided"
    FUND_REPORT_EXPORTED = "fund.report_exported"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    LedgerAction.ARCHIVE_CREATE: "建立档案",
    LedgerAction.ARCHIVE_MATERIAL_CATALOGUED: "材料编目",
    LedgerAction.ARCHIVE_BATCH_INGESTED: "扫描件接收",
    LedgerAction.ARCHIVE_WINDOW_CHECKED: "窗口初审",
    LedgerAction.ARCHIVE_WAREHOUSED: "入库复审通过",
    LedgerAction.ARCHIVE_BATCH_RETURNED: "退回扫描批次",
    LedgerAction.ARCHIVE_FIXITY_CHECK: "档案完整性校验",
    LedgerAction.ARCHIVE_READ: "查阅档案",
    LedgerAction.ARCHIVE_PAGE_VIEW: "查看档案页面",
    LedgerAction.ARCHIVE_SEARCH: "检索档案",
    LedgerAction.ARCHIVE_FACT_REVIEWED: "审核档案信息",
    LedgerAction.ARCHIVE_MATERIAL_FLAGGED: "标记涂改材料",
    LedgerAction.ARCHIVE_LENDING_REQUESTED: "申请档案调阅",
    LedgerAction.ARCHIVE_LENDING_DECIDED: "审批档案调阅",
    LedgerAction.ARCHIVE_VOLUME_FILED: "业务档案归档",
    LedgerAction.ARCHIVE_VOLUME_APPRAISED: "业务档案到期鉴定",
    LedgerAction.PREREVIEW_RUN: "退休预审",
    LedgerAction.PREREVIEW_CHECKLIST: "预审清单变更",
    LedgerAction.PREREVIEW_READ: "查看预审结果",
    LedgerAction.NOTIFICATION_SENT: "发送通知",
    LedgerAction.APPLICATION_SUBMITTED: "受理退休申请",
    LedgerAction.APPLICATION_READ: "查看退休申请",
    LedgerAction.TASK_DECIDED: "办结并联任务",
    LedgerAction.TASK_RETRIED: "重新办理并联任务",
    LedgerAction.TASK_ESCALATED: "并联任务超时督办",
    LedgerAction.APPLICATION_DETERMINED: "退休待遇核定",
    LedgerAction.APPLICATION_REVIEWED: "退休审批复核",
    LedgerAction.APPROVAL_FORM_ISSUED: "出具职工退休审批表",
    LedgerAction.SUPPLEMENT_SUBMITTED: "网上提交补充材料",
    LedgerAction.SUPPLEMENT_ACCEPTED: "补充材料接收归档",
    LedgerAction.SUPPLEMENT_RETURNED: "补充材料退回",
    LedgerAction.SUPPLEMENT_VIEWED: "查看补充材料",
    LedgerAction.PENSION_RECALCULATED: "基本养老金重新核定",
    LedgerAction.FUND_RUN: "基金安全核查运行",
    LedgerAction.FUND_FINDING_RAISED: "基金安全预警生成",
    LedgerAction.FUND_FINDING_READ: "查看基金安全预警",
    LedgerAction.FUND_FINDING_DECIDED: "基金安全预警处理",
    LedgerAction.FUND_REPORT_EXPORTED: "导出基金安全报告",
    LedgerAction.PERSON_CREATE: "登记参保人",
    LedgerAction.PERSON_READ: "查看参保人信息",
    LedgerAction.PERSON_SEARCH: "查询参保人",
    LedgerAction.EMPLOYER_CREATE: "登记单位",
    LedgerAction.DEPARTMENT_CREATE: "登记协同部门",
    LedgerAction.USER_CREATE: "创建用户",
    LedgerAction.ROLE_GRANT: "授予角色",
    LedgerAction.LOGIN_SUCCEEDED: "登录成功",
    LedgerAction.LOGIN_FAILED: "登录失败",
    LedgerAction.ACCOUNT_LOCKED: "账号锁定",
    LedgerAction.LOGOUT: "退出登录",
    LedgerAction.LEDGER_VERIFY: "校验审计链",
    LedgerAction.LEDGER_READ: "查看审计留痕",
    LedgerAction.DEMO_LOAD: "加载演示数据",
    LedgerAction.EXCHANGE_FILE_IMPORTED: "导入部门数据文件",
    LedgerAction.EXCHANGE_FILE_REJECTED: "拒收部门数据文件",
    LedgerAction.EXCHANGE_FILE_DUPLICATE: "识别重复报送文件",
    LedgerAction.EXCHANGE_FILE_READ: "查看部门数据文件报告",
    LedgerAction.EXCHANGE_MESSAGE_APPLIED: "接收部门接口推送",
    LedgerAction.EXCHANGE_MESSAGE_REJECTED: "拒收部门接口推送",
    LedgerAction.EXCHANGE_MESSAGE_DUPLICATE: "识别重复接口推送",
    LedgerAction.EXCHANGE_SYNC_APPLIED: "库表同步入库",
    LedgerAction.EXCHANGE_SYNC_REJECTED: "拒收库表同步批次",
    LedgerAction.EXCHANGE_SYNC_DUPLICATE: "识别重复同步批次",
    LedgerAction.EXCHANGE_SYNC_MISMATCH: "库表同步对账不符",
    LedgerAction.EXCHANGE_SYNC_RESTART: "重置同步水位",
    LedgerAction.EXCHANGE_ACCESS_REFUSED: "拒绝目录外共享请求",
    LedgerAction.EXCHANGE_REQUEST_DELIVERED: "向协同部门发送请求",
    LedgerAction.EXCHANGE_REQUEST_FAILED: "协同部门请求发送失败",
    LedgerAction.EXCHANGE_REQUEST_RETRY: "人工重发协同部门请求",
    LedgerAction.EXCHANGE_VERIFICATION: "共享数据自动核验",
    LedgerAction.EXCHANGE_DISPUTE_RESOLVED: "处理数据异议",
    LedgerAction.EXCHANGE_RECORDS_READ: "查看部门共享记录",
}


@dataclass(frozen=True)
class Subject:
    """What an entry is about: a type and a pseudonymous key (never a raw ID number)."""

    type: str
    key: str


@dataclass(frozen=True)
class LedgerEntry:
    seq: int
    recorded_at: datetime
    actor_id: int
    actor_name: str
    actor_roles: str
    department: str
    action: str
    subject_type: str
    subject_key: str
    purpose: str
    before_digest: str
    after_digest: str
    hash_alg: str
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class LedgerHead:
    seq: int
    entry_hash: str


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which the chain stops being what was written."""

    seq: int
    reason: str


@dataclass(frozen=True)
class VerifyReport:
    entries_checked: int
    head_seq: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None

    @property
    def broken_seq(self) -> int | None:
        return self.broken.seq if self.broken else None
