"""`retirelink demo load`: the demo district written through the real services.

Departments, demo accounts, employers and persons go into the database through the same
use cases a clerk's actions use (so every record is ledgered). Partner-department records
(deaths, cremations, imprisonments) are written as the files those departments deliver,
one CSV per department and kind under ``<data_dir>/demo/feeds/``, ready for the exchange
layer's file-transfer import; careers and contribution histories go beside them, and a
manifest ``district.json`` says which district it was (seed, persons, as_of).
"""

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from retirelink.accounts.model import UserAccount
from retirelink.archives.insured import InsuranceRecord, check_insurance_record
from retirelink.archives.services import (
    add_person,
    build_person,
    ensure_department,
    register_employer,
)
from retirelink.bootstrap import Services
from retirelink.demo.fund_roll import build_roll
from retirelink.demo.generator import generate_district
from retirelink.demo.insured import insurance_record
from retirelink.demo.manifest import DistrictManifest, write_manifest
from retirelink.demo.model import (
    DISTRICT_DEPARTMENTS,
    DISTRICT_REGION,
    DemoDistrict,
    DemoEmployer,
    DemoPerson,
    PartnerRecord,
)
from retirelink.errors import ConflictError
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import SYSTEM_ACTOR, Role
from retirelink.security.passwords import hash_password

DEMO_PASSWORD = "Retire@2026"
BATCH_SIZE = 1000

# (code, name, kind) of the district's departments; kept under the old names for callers.
DEPARTMENTS = DISTRICT_DEPARTMENTS


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    department: str
    role: Role


DEMO_ACCOUNTS = (
    DemoAccount("clerk", "张敏", "SHEBAO", Role.CLERK),
    DemoAccount("reviewer", "李静", "SHEBAO", Role.REVIEWER),
    DemoAccount("archivist", "赵红", "DANGAN", Role.ARCHIVIST),
    DemoAccount("auditor", "王强", "SHEBAO", Role.FUND_AUDITOR),
    DemoAccount("leader", "刘洋", "SHEBAO", Role.LEADER),
    DemoAccount("gongan", "陈刚", "GONGAN", Role.DEPT_OFFICER),
    DemoAccount("sysadmin", "孙磊", "SHEBAO", Role.SYS_ADMIN),
    DemoAccount("secadmin", "周洁", "SHEBAO", Role.SEC_ADMIN),
    DemoAccount("auditadmin", "吴芳", "SHEBAO", Role.AUDIT_ADMIN),
)


@dataclass(frozen=True)
class DemoLoadSummary:
    persons_added: int
    persons_skipped: int
    employers_added: int
    accounts_added: int
    feed_files: tuple[Path, ...]
    manifest: Path


Progress = Callable[[int], None]


def load_demo(
    services: Services, *, seed: int, persons: int, progress: Progress | None = None
) -> DemoLoadSummary:
    """Generate the district as of today and load it; safe to run twice (existing rows skip)."""
    district = generate_district(seed=seed, persons=persons, as_of=services.clock.today())
    _ensure_departments(services)
    accounts = _ensure_accounts(services)
    employers = _load_employers(services, district.employers)
    added, skipped = _load_persons(services, district.persons, progress or (lambda _: None))
    feeds = write_feeds(district, services.settings.data_dir / "demo")
    # The manifest lets programs without a database (the partner simulators) rebuild the
    # very district that was loaded.
    manifest = write_manifest(
        services.settings.data_dir / "demo",
        DistrictManifest(seed=seed, persons=persons, as_of=district.as_of),
    )
    _load_roll(services, district)
    _record_load(services, district)
    return DemoLoadSummary(added, skipped, employers, accounts, feeds, manifest)


def _ensure_departments(services: Services) -> None:
    for code, name, kind in DEPARTMENTS:
        with services.uow() as uow:
            ensure_department(
                uow,
                actor=SYSTEM_ACTOR,
                code=code,
                name=name,
                kind=kind,
                region_code=DISTRICT_REGION,
            )


def _ensure_accounts(services: Services) -> int:
    """Demo accounts share one documented password; hashed once, not once per account."""
    password_hash = hash_password(DEMO_PASSWORD)
    added = 0
    with services.uow() as uow:
        for account in DEMO_ACCOUNTS:
            if uow.users.get_by_username(account.username) is not None:
                continue
            uow.users.add(
                UserAccount(
                    id=None,
                    username=account.username,
                    display_name=account.display_name,
                    department_code=account.department,
                    roles=frozenset({account.role}),
                    password_hash=password_hash,
                )
            )
            uow.ledger.record(
                actor=SYSTEM_ACTOR,
                action=LedgerAction.USER_CREATE,
                subject=uow.ledger.subject("user", account.username),
                purpose="演示账号",
                after={"username": account.username, "roles": [account.role.value]},
            )
            added += 1
        uow.commit()
    return added


def _load_employers(services: Services, employers: Sequence[DemoEmployer]) -> int:
    added = 0
    with services.uow() as uow:
        for employer in employers:
            if uow.employers.get_by_credit_code(employer.credit_code) is not None:
                continue
            register_employer(
                uow,
                actor=SYSTEM_ACTOR,
                credit_code=employer.credit_code,
                name=employer.name,
                kind=employer.kind.value,
                region_code=employer.region_code,
                commit=False,
            )
            added += 1
        uow.commit()
    return added


def _load_persons(
    services: Services, persons: Sequence[DemoPerson], progress: Progress
) -> tuple[int, int]:
    added = skipped = 0
    with services.uow() as uow:
        employer_ids = uow.employers.ids_by_credit_code()
    for start in range(0, len(persons), BATCH_SIZE):
        batch = persons[start : start + BATCH_SIZE]
        with services.uow() as uow:
            records: list[InsuranceRecord] = []
            for demo_person in batch:
                person = build_person(
                    uow,
                    id_number=demo_person.id_number,
                    name=demo_person.name,
                    ethnicity=demo_person.ethnicity,
                    hukou_region=demo_person.hukou_region,
                    phone=demo_person.phone,
                )
                try:
                    stored = add_person(uow, person, actor=SYSTEM_ACTOR, purpose="演示数据加载")
                    added += 1
                except ConflictError:
                    skipped += 1  # loaded by an earlier run
                    continue
                records.append(insurance_record(demo_person, stored.id or 0, employer_ids))
            _record_insured(uow, records, today=services.clock.today())
            uow.commit()
        progress(len(batch))
    return added, skipped


def _record_insured(uow: Any, records: list[InsuranceRecord], *, today: date) -> None:
    """The batch's insured records (status, category, careers, contribution years)."""
    if not records:
        return
    for record in records:
        check_insurance_record(record, today=today)
    uow.insured.put_many(records)
    uow.ledger.record(
        actor=SYSTEM_ACTOR,
        action=LedgerAction.DEMO_LOAD,
        subject=uow.ledger.subject("demo", f"insured-{records[0].person_id}"),
        purpose=f"演示数据加载：{len(records)}人的参保记录（工作经历、缴费年度）",
    )


def _load_roll(services: Services, district: DemoDistrict) -> None:
    """The pension roll, its payments and signs of life (once: a loaded roll is kept)."""
    with services.uow() as uow:
        if uow.fund.roll_size():
            return
        roll = build_roll(district)
        person_ids = uow.fund.person_ids(sorted({entry.id_number for entry in roll.entries}))
        uow.fund.add_roll(roll.entries, roll.payments, roll.signs, person_ids)
        uow.commit()


def _record_load(services: Services, district: DemoDistrict) -> None:
    with services.uow() as uow:
        uow.ledger.record(
            actor=SYSTEM_ACTOR,
            action=LedgerAction.DEMO_LOAD,
            subject=uow.ledger.subject("demo", f"seed-{district.seed}"),
            purpose=f"演示辖区：{len(district.persons)}人，种子{district.seed}",
        )
        uow.commit()


def write_feeds(district: DemoDistrict, directory: Path) -> tuple[Path, ...]:
    """Partner records as each department would deliver them, plus careers and contributions."""
    feeds = directory / "feeds"
    paths = []
    by_source: dict[tuple[str, str], list[PartnerRecord]] = {}
    for record in district.partner_records:
        by_source.setdefault((record.department, record.kind.value), []).append(record)
    for (department, kind), records in sorted(by_source.items()):
        paths.append(
            _write_csv(
                feeds / department / f"{kind}.csv",
                ("公民身份号码", "姓名", "事件日期", "结束日期", "记录类型"),
                (
                    (
                        r.id_number,
                        r.name,
                        r.event_date.isoformat(),
                        r.end_date.isoformat() if r.end_date else "",
                        r.kind.label,
                    )
                    for r in records
                ),
            )
        )
    paths.append(_write_careers(district, directory / "careers.csv"))
    paths.append(_write_contributions(district, directory / "contributions.csv"))
    return tuple(paths)


def _write_careers(district: DemoDistrict, path: Path) -> Path:
    rows = (
        (
            p.id_number,
            s.employer_credit_code,
            s.start.isoformat(),
            s.end.isoformat() if s.end else "",
            s.post,
            "是" if s.underground else "否",
        )
        for p in district.persons
        for s in p.careers
    )
    header = ("公民身份号码", "统一社会信用代码", "起始月", "终止月", "岗位", "井下")
    return _write_csv(path, header, rows)


def _write_contributions(district: DemoDistrict, path: Path) -> Path:
    rows = (
        (p.id_number, str(c.year), str(c.months), str(c.base_wage), c.employer_credit_code)
        for p in district.persons
        for c in p.contributions
    )
    header = ("公民身份号码", "年度", "缴费月数", "缴费基数", "统一社会信用代码")
    return _write_csv(path, header, rows)


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # UTF-8 with BOM so Excel on a clerk's PC opens the Chinese headers correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
