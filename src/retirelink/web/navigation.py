"""The platform's modules, as the navigation shows them. Modules not yet built are listed,
greyed out, so users see where the platform is going; they link nowhere."""

from dataclasses import dataclass

from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import has_permission


@dataclass(frozen=True)
class Module:
    key: str
    label: str
    description: str
    href: str | None
    permission: Permission | None
    # The person's or the employer's own channel: not listed for staff.
    applicants_only: bool = False


MODULES = (
    Module(
        "online",
        "网上办理",
        "退休申请、补充材料与办理进度（本人或本单位职工）",
        "/my",
        Permission.RETIREMENT_APPLY_ONLINE,
        applicants_only=True,
    ),
    Module(
        "archives", "档案管理", "参保人查询、人事档案与数字化", "/persons", Permission.PERSON_READ
    ),
    Module(
        "retirement",
        "退休业务",
        "退休一件事：预审、并联审批、核定",
        "/prereview",
        Permission.PREREVIEW,
    ),
    Module(
        "exchange",
        "数据共享",
        "与公安、司法、卫健、民政等部门共享交换",
        "/exchange",
        Permission.EXCHANGE_IMPORT,
    ),
    Module(
        "fundguard",
        "基金安全",
        "死亡、服刑、重复领取比对与追回",
        "/fund",
        Permission.FUND_CHECK,
    ),
    Module("oversight", "统计分析", "退休人员结构、办理时效与部门考核", None, None),
    Module(
        "audit", "审计留痕", "数据访问与传输全程留痕、哈希链校验", "/ledger", Permission.LEDGER_READ
    ),
    Module("admin", "系统管理", "用户、角色与部门", "/admin/users", Permission.USER_MANAGE),
)


@dataclass(frozen=True)
class NavItem:
    module: Module
    enabled: bool
    note: str


def modules_for(actor: Actor) -> list[NavItem]:
    items = []
    for module in MODULES:
        if module.applicants_only and actor.represents is None:
            continue
        if module.href is None:
            items.append(NavItem(module, enabled=False, note="即将上线"))
        elif module.permission and not has_permission(actor, module.permission):
            # A person or an employer's 经办员 is shown only what they may use.
            if actor.represents is None:
                items.append(NavItem(module, enabled=False, note="无权限"))
        else:
            items.append(NavItem(module, enabled=True, note=""))
    return items
