"""Who acts: roles (DESIGN.md §1), permissions and the acting user."""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    APPLICANT = "applicant"
    CLERK = "clerk"
    REVIEWER = "reviewer"
    ARCHIVIST = "archivist"
    FUND_AUDITOR = "fund_auditor"
    DEPT_OFFICER = "dept_officer"
    LEADER = "leader"
    SYS_ADMIN = "sys_admin"
    SEC_ADMIN = "sec_admin"
    AUDIT_ADMIN = "audit_admin"
    # The operator console (CLI on the server); never granted to a user account.
    SYSTEM = "system"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.APPLICANT: "参保人/单位经办员",
    Role.CLERK: "窗口受理员",
    Role.REVIEWER: "复核员",
    Role.ARCHIVIST: "档案管理员",
    Role.FUND_AUDITOR: "基金监管员",
    Role.DEPT_OFFICER: "协同部门联络员",
    Role.LEADER: "分管领导",
    Role.SYS_ADMIN: "系统管理员",
    Role.SEC_ADMIN: "安全管理员",
    Role.AUDIT_ADMIN: "审计管理员",
    Role.SYSTEM: "系统（命令行）",
}

GRANTABLE_ROLES = frozenset(Role) - {Role.SYSTEM}


class Permission(StrEnum):
    PERSON_READ = "person.read"
    PERSON_READ_UNMASKED = "person.read_unmasked"
    PERSON_WRITE = "person.write"
    EMPLOYER_WRITE = "employer.write"
    LEDGER_READ = "ledger.read"
    LEDGER_VERIFY = "ledger.verify"
    USER_MANAGE = "user.manage"
    ROLE_GRANT = "role.grant"
    DEMO_LOAD = "demo.load"
    RULES_COMPUTE = "rules.compute"
    EXCHANGE_IMPORT = "exchange.import"
    EXCHANGE_VERIFY = "exchange.verify"
    EXCHANGE_MANAGE = "exchange.manage"
    ARCHIVE_READ = "archive.read"
    ARCHIVE_CATALOGUE = "archive.catalogue"
    ARCHIVE_INGEST = "archive.ingest"
    ARCHIVE_WINDOW_CHECK = "archive.window_check"
    ARCHIVE_WAREHOUSE_CHECK = "archive.warehouse_check"
    ARCHIVE_FIXITY = "archive.fixity"
    ARCHIVE_FACT_REVIEW = "archive.fact_review"
    ARCHIVE_LENDING_REQUEST = "archive.lending_request"
    ARCHIVE_LENDING_DECIDE = "archive.lending_decide"
    PREREVIEW = "workflow.prereview"
    RETIREMENT_APPLY = "workflow.apply"
    RETIREMENT_TASKS = "workflow.tasks"
    RETIREMENT_DETERMINE = "workflow.determine"
    RETIREMENT_APPROVE = "workflow.approve"
    # The applicant's own channel: apply online for oneself (or, for an employer's 经办员,
    # for the employer's workers) and hand in a missing material.
    RETIREMENT_APPLY_ONLINE = "workflow.apply_online"
    SUPPLEMENT_SUBMIT = "workflow.supplement_submit"
    # Receiving a handed-in material into the personnel archive (归档).
    SUPPLEMENT_ACCEPT = "workflow.supplement_accept"
    # Fund guard (基金安全): run the cross-checks, work the findings and recovery cases.
    FUND_CHECK = "fund.check"
    FUND_DECIDE = "fund.decide"

    @property
    def label(self) -> str:
        return _PERMISSION_LABELS[self]


_PERMISSION_LABELS = {
    Permission.PERSON_READ: "查询参保人",
    Permission.PERSON_READ_UNMASKED: "查看未脱敏个人信息",
    Permission.PERSON_WRITE: "登记/修改参保人",
    Permission.EMPLOYER_WRITE: "登记/修改单位",
    Permission.LEDGER_READ: "查看审计留痕",
    Permission.LEDGER_VERIFY: "校验审计链",
    Permission.USER_MANAGE: "管理用户账号",
    Permission.ROLE_GRANT: "授予角色",
    Permission.DEMO_LOAD: "加载演示数据",
    Permission.RULES_COMPUTE: "政策规则测算",
    Permission.EXCHANGE_IMPORT: "导入部门数据",
    Permission.EXCHANGE_VERIFY: "共享数据核验",
    Permission.EXCHANGE_MANAGE: "管理共享交换（同步、投递、处理异议）",
    Permission.ARCHIVE_READ: "查阅档案目录与页面",
    Permission.ARCHIVE_CATALOGUE: "建立档案与材料目录",
    Permission.ARCHIVE_INGEST: "档案扫描件入库（数字化）",
    Permission.ARCHIVE_WINDOW_CHECK: "档案接收窗口初审",
    Permission.ARCHIVE_WAREHOUSE_CHECK: "档案入库复审",
    Permission.ARCHIVE_FIXITY: "档案完整性校验",
    Permission.ARCHIVE_FACT_REVIEW: "审核档案信息提取结果",
    Permission.ARCHIVE_LENDING_REQUEST: "申请档案调阅",
    Permission.ARCHIVE_LENDING_DECIDE: "审批档案调阅",
    Permission.PREREVIEW: "退休预审（运行与查看）",
    Permission.RETIREMENT_APPLY: "受理退休申请",
    Permission.RETIREMENT_TASKS: "办理与查看退休并联任务",
    Permission.RETIREMENT_DETERMINE: "退休待遇核定（经办）",
    Permission.RETIREMENT_APPROVE: "退休审批复核",
    Permission.RETIREMENT_APPLY_ONLINE: "网上申请退休（本人或本单位职工）",
    Permission.SUPPLEMENT_SUBMIT: "网上提交补充材料",
    Permission.SUPPLEMENT_ACCEPT: "接收补充材料归档",
    Permission.FUND_CHECK: "运行基金安全核查、查看预警",
    Permission.FUND_DECIDE: "处理基金安全预警与追回",
}

# 三员分立: the system, security and audit administrators must be three different people
# (GB/T 22239-2019 等级保护 2.0, 安全管理中心 "三权分立" requirement).
SEPARATED_ADMIN_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})


class PrincipalKind(StrEnum):
    """Whom an applicant account acts for."""

    PERSON = "person"
    EMPLOYER = "employer"

    @property
    def label(self) -> str:
        return {"person": "参保人本人", "employer": "用人单位"}[self.value]


@dataclass(frozen=True)
class Principal:
    """An applicant account's principal: the insured person (by 公民身份号码) or the
    employer (by 统一社会信用代码) whose 经办员 holds the account."""

    kind: PrincipalKind
    code: str


@dataclass(frozen=True)
class Actor:
    """The authenticated user on whose behalf a use case runs."""

    user_id: int
    username: str
    display_name: str
    department_code: str
    roles: frozenset[Role]
    # Only applicant accounts act for someone; staff accounts act for their department.
    represents: Principal | None = None

    @property
    def role_codes(self) -> str:
        return ",".join(sorted(self.roles))


SYSTEM_ACTOR = Actor(
    user_id=0,
    username="system",
    display_name="系统",
    department_code="SHEBAO",
    roles=frozenset({Role.SYSTEM}),
)
