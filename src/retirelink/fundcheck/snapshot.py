"""The snapshot the batch checks read: tables, columns and their DuckDB types.

A batch run (``fundcheck.batch``) reads these tables from a DuckDB database or from Parquet
files named ``<table>.parquet`` in one directory. The platform writes them from its own
database (``storage.fund_snapshot``); the bulk demo generator (``demo.fund_bulk``) writes them at
national scale. Months are the first day of the month; money is yuan with two places.
"""

from collections.abc import Mapping
from types import MappingProxyType

# 待遇发放名册: one row per pension being paid or once paid, in any scheme.
PENSIONERS: tuple[tuple[str, str], ...] = (
    ("pension_id", "BIGINT"),  # unique per row
    ("id_number", "VARCHAR"),  # as registered: 18 characters, or a legacy 15-digit number
    ("name", "VARCHAR"),
    ("birth_date", "DATE"),  # as the roll records it
    ("sex", "VARCHAR"),  # GB/T 2261.1: '1' male, '2' female
    ("scheme", "VARCHAR"),  # 'employee' 企业职工, 'institution' 机关事业, 'resident' 城乡居民
    ("region", "VARCHAR"),  # GB/T 2260 code of the paying agency (领取地)
    ("first_month", "DATE"),  # first month paid (待遇起始月)
    ("monthly_amount", "DECIMAL(12,2)"),  # current monthly pension
    ("basic_amount", "DECIMAL(12,2)"),  # resident scheme: 基础养老金 part; else NULL
    ("status", "VARCHAR"),  # 'paying', 'suspended' (暂停), 'stopped' (终止)
    ("paid_through", "DATE"),  # last month paid; NULL if never paid
    ("bank_account", "VARCHAR"),  # 社保卡/银行账号 the pension is paid into
    ("payee_name", "VARCHAR"),  # 账户户名
    ("account_changed_on", "DATE"),  # last change of bank account; NULL: never
    ("payee_changed_on", "DATE"),  # last change of the account holder; NULL: never
    ("previous_id_number", "VARCHAR"),  # before a change of ID number (双改); NULL: none
    ("previous_name", "VARCHAR"),  # before a change of name; NULL: none
    ("last_certified_on", "DATE"),  # last successful 资格认证 of any kind; NULL: never
    ("archive_birth_date", "DATE"),  # earliest birth date the personnel archive shows; NULL
)

# Months actually paid: consecutive periods at one amount (the annual adjustment opens a new one).
PAYMENTS: tuple[tuple[str, str], ...] = (
    ("pension_id", "BIGINT"),
    ("first_month", "DATE"),
    ("last_month", "DATE"),  # included
    ("monthly_amount", "DECIMAL(12,2)"),
)

# What partner departments reported, as received (before any check: IDs may be invalid).
PARTNER_EVENTS: tuple[tuple[str, str], ...] = (
    ("record_id", "BIGINT"),  # unique per row; cited as evidence
    ("department", "VARCHAR"),  # 'public_security', 'health', 'civil_affairs', 'justice', 'court'
    # 'death_cancellation' 户籍死亡注销, 'death_certificate' 死亡医学证明, 'cremation' 火化,
    # 'declared_dead' 法院宣告死亡; 'imprisonment' 拘役/有期徒刑及以上, 'pending' 在押未定罪/通缉,
    # 'non_custodial' 管制/缓刑/监外执行, 'acquitted' 宣告无罪
    ("kind", "VARCHAR"),
    ("id_number", "VARCHAR"),
    ("name", "VARCHAR"),
    ("event_date", "DATE"),  # death date, or detention / sentence start
    ("end_date", "DATE"),  # release or end of the sentence; NULL: running or not applicable
    ("received_on", "DATE"),
)

# Signs of life shared by other departments (无感认证): any one within the cycle certifies.
SIGNS_OF_LIFE: tuple[tuple[str, str], ...] = (
    ("id_number", "VARCHAR"),
    # 'medical_settlement' 医保结算, 'hospital_stay' 住院, 'travel' 出行安检, 'bank_activity'
    # 银行账户主动交易, 'in_person' 现场认证, 'self_service' 自助认证
    ("source", "VARCHAR"),
    ("seen_on", "DATE"),
    ("reference", "VARCHAR"),  # the source's own record number, cited as evidence
)

TABLES: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        "pensioners": PENSIONERS,
        "payments": PAYMENTS,
        "partner_events": PARTNER_EVENTS,
        "signs_of_life": SIGNS_OF_LIFE,
    }
)


def create_statement(table: str) -> str:
    """``CREATE TABLE`` for one snapshot table in DuckDB."""
    columns = ", ".join(f"{name} {kind}" for name, kind in TABLES[table])
    return f"CREATE TABLE {table} ({columns})"
