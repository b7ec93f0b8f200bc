"""Core records: insured persons (参保人), employers (用人单位) and partner departments."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from retirelink.rules.identifiers import Sex


class EmployerKind(StrEnum):
    COAL_MINE = "coal_mine"
    CERAMICS = "ceramics"
    STEEL = "steel"
    PUBLIC_INSTITUTION = "public_institution"
    GOVERNMENT = "government"
    PRIVATE_ENTERPRISE = "private_enterprise"

    @property
    def label(self) -> str:
        return _EMPLOYER_KIND_LABELS[self]


_EMPLOYER_KIND_LABELS = {
    EmployerKind.COAL_MINE: "煤矿企业",
    EmployerKind.CERAMICS: "陶瓷企业",
    EmployerKind.STEEL: "钢铁企业",
    EmployerKind.PUBLIC_INSTITUTION: "事业单位",
    EmployerKind.GOVERNMENT: "机关",
    EmployerKind.PRIVATE_ENTERPRISE: "其他企业",
}


class DepartmentKind(StrEnum):
    SOCIAL_SECURITY = "social_security"
    ARCHIVES = "archives"
    PUBLIC_SECURITY = "public_security"
    JUSTICE = "justice"
    HEALTH = "health"
    CIVIL_AFFAIRS = "civil_affairs"
    HOUSING_FUND = "housing_fund"
    MEDICAL_INSURANCE = "medical_insurance"
    # Beyond the district (DESIGN §5): the national register of who is insured where, and
    # the other provinces' nodes, reached over the same signed exchange.
    NATIONAL_INSURANCE_INDEX = "national_insurance_index"
    PROVINCIAL_NODE = "provincial_node"

    @property
    def label(self) -> str:
        return _DEPARTMENT_KIND_LABELS[self]


_DEPARTMENT_KIND_LABELS = {
    DepartmentKind.SOCIAL_SECURITY: "社保",
    DepartmentKind.ARCHIVES: "档案",
    DepartmentKind.PUBLIC_SECURITY: "公安",
    DepartmentKind.JUSTICE: "司法",
    DepartmentKind.HEALTH: "卫健",
    DepartmentKind.CIVIL_AFFAIRS: "民政",
    DepartmentKind.HOUSING_FUND: "住建/公积金",
    DepartmentKind.MEDICAL_INSURANCE: "医保",
    DepartmentKind.NATIONAL_INSURANCE_INDEX: "全国参保登记信息库",
    DepartmentKind.PROVINCIAL_NODE: "外省社保经办机构",
}


@dataclass(frozen=True)
class Person:
    id: int | None
    id_number: str
    name: str
    sex: Sex
    birth_date: date
    ethnicity: str
    hukou_region: str
    phone: str | None = None

    def audit_state(self) -> dict[str, str | None]:
        """The fields whose digest goes into the ledger's before/after."""
        return {
            "id_number": self.id_number,
            "name": self.name,
            "sex": self.sex.value,
            "birth_date": self.birth_date.isoformat(),
            "ethnicity": self.ethnicity,
            "hukou_region": self.hukou_region,
            "phone": self.phone,
        }


@dataclass(frozen=True)
class Employer:
    id: int | None
    credit_code: str
    name: str
    kind: EmployerKind
    region_code: str


@dataclass(frozen=True)
class Department:
    id: int | None
    code: str
    name: str
    kind: DepartmentKind
    region_code: str


@dataclass(frozen=True)
class PersonSummary:
    """One row of a search result (read model)."""

    id: int
    id_number: str
    name: str
    sex: Sex
    birth_date: date
    hukou_region: str


@dataclass(frozen=True)
class PersonPage:
    items: list[PersonSummary]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
