"""The simulated departments, the items each holds, and the fault modes they can be put in."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from retirelink.archives.model import DepartmentKind
from retirelink.demo.model import DISTRICT_DEPARTMENTS, DISTRICT_REGION
from retirelink.errors import InvalidInputError

OUR_CLIENT_ID = f"SHEBAO-{DISTRICT_REGION}"

# Catalogue item codes the simulators serve (exchange/catalogue_data/<kind>/<name>.yaml).
HOUSEHOLD_REGISTRATION = "public_security.household_registration"
DEATH_CANCELLATION = "public_security.death_cancellation"
DEATH_CERTIFICATE = "health.death_medical_certificate"
CREMATION = "civil_affairs.cremation"
PRISONERS = "justice.prisoners_in_custody"
SETTLEMENTS = "medical_insurance.enrolment_and_settlement"
HOUSING_FUND = "housing_fund.deposits_and_withdrawals"
INSURED_PROVINCES = "national_insurance_index.insured_provinces"
CONTRIBUTION_HISTORY = "provincial_node.contribution_history"
# Asked one person at a time, never pulled as a feed (docs/exchange.md).
QUERY_ITEMS = frozenset({INSURED_PROVINCES, CONTRIBUTION_HISTORY})


class Mode(StrEnum):
    """How a simulated department behaves; ``down`` really stops its listening socket."""

    NORMAL = "normal"
    SLOW = "slow"
    DOWN = "down"
    GARBAGE = "garbage"
    ERROR = "error"

    @property
    def label(self) -> str:
        return _MODE_LABELS[self]


_MODE_LABELS: Mapping[Mode, str] = MappingProxyType(
    {
        Mode.NORMAL: "正常",
        Mode.SLOW: "响应缓慢",
        Mode.DOWN: "停机（拒绝连接）",
        Mode.GARBAGE: "返回乱码",
        Mode.ERROR: "内部错误（500）",
    }
)


@dataclass(frozen=True)
class Department:
    """One simulated partner department and the catalogue items it holds."""

    code: str
    kind: DepartmentKind
    name: str
    items: tuple[str, ...]
    region: str = ""  # another province's node: its province code (GB/T 2260)

    @property
    def client_id(self) -> str:
        """How the department signs its own calls (``X-RL-Client``), e.g. ``GONGAN-130406``;
        another province's node as that province's agency, e.g. ``SHEBAO-140000``."""
        return f"SHEBAO-{self.region}" if self.region else f"{self.code}-{DISTRICT_REGION}"

    @property
    def label(self) -> str:
        return self.kind.label


_ITEMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "GONGAN": (HOUSEHOLD_REGISTRATION, DEATH_CANCELLATION),
        "SIFA": (PRISONERS,),
        "WEIJIAN": (DEATH_CERTIFICATE,),
        "MINZHENG": (CREMATION,),
        "GJJ": (HOUSING_FUND,),
        "YIBAO": (SETTLEMENTS,),
    }
)

# Beyond the district (DESIGN §5): the national register and two other provinces' nodes,
# reached over the same signed exchange. Their codes and names are the demo's.
NODES: tuple[Department, ...] = (
    Department(
        "QUANGUO",
        DepartmentKind.NATIONAL_INSURANCE_INDEX,
        "全国社会保险公共服务平台（全国参保登记信息库）",
        (INSURED_PROVINCES,),
    ),
    Department(
        "SHANXI",
        DepartmentKind.PROVINCIAL_NODE,
        "山西省社会保险事业管理中心",
        (CONTRIBUTION_HISTORY,),
        "140000",
    ),
    Department(
        "HENAN",
        DepartmentKind.PROVINCIAL_NODE,
        "河南省社会保险中心",
        (CONTRIBUTION_HISTORY,),
        "410000",
    ),
)

# In the order the CLI lists them; names come from the demo district's department list.
DEPARTMENTS: tuple[Department, ...] = (
    *(
        Department(code, DepartmentKind(kind), name, _ITEMS[code])
        for code, name, kind in DISTRICT_DEPARTMENTS
        if code in _ITEMS
    ),
    *NODES,
)
_BY_CODE: Mapping[str, Department] = MappingProxyType({d.code: d for d in DEPARTMENTS})


def department(code: str) -> Department:
    """The department with this code (case-insensitive); ``InvalidInputError`` if unknown."""
    found = _BY_CODE.get(code.strip().upper())
    if found is None:
        known = "、".join(_BY_CODE)
        raise InvalidInputError(f"未知的部门代码“{code}”（可用：{known}）", field="department")
    return found


def parse_mode(value: str) -> Mode:
    try:
        return Mode(value.strip().lower())
    except ValueError:
        known = "、".join(f"{mode.value}（{mode.label}）" for mode in Mode)
        raise InvalidInputError(f"未知的运行模式“{value}”（可用：{known}）", field="mode") from None


@dataclass(frozen=True)
class DepartmentStatus:
    """How a running department looks from outside: where it listens and how it behaves."""

    code: str
    name: str
    kind: str
    client_id: str
    url: str
    mode: Mode
    delay: float
    running: bool

    def to_dict(self) -> dict[str, str | float | bool]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "client_id": self.client_id,
            "url": self.url,
            "mode": self.mode.value,
            "delay": self.delay,
            "running": self.running,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> "DepartmentStatus":
        return cls(
            code=str(data["code"]),
            name=str(data["name"]),
            kind=str(data["kind"]),
            client_id=str(data["client_id"]),
            url=str(data["url"]),
            mode=Mode(str(data["mode"])),
            delay=float(str(data["delay"])),
            running=bool(data["running"]),
        )
