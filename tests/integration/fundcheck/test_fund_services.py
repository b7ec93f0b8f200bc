"""The fund guard on the real database (SQLite, or PostgreSQL in CI): a partner's death record
becomes a suspension warning in one continuous round; the batch finds the same and nothing
twice; an interrupted batch resumes on its snapshot; a snapshot taken while others write is
one moment; findings move through their lifecycle only with a reason.

Law: 死亡次月停发 (policy-spec §5.2, a parameter), 劳社厅函〔2001〕44号 (§5.1), 人社厅发〔2021〕77号
and 《城乡养老保险制度衔接暂行办法》第八条 (§5.3), 社会保险法第八十八条 (2–5× fine)."""

import fcntl
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from retirelink.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from retirelink.exchange.services import import_partner_file
from retirelink.fundcheck.certification_services import certification_of, record_certification
from retirelink.fundcheck.findings import (
    FindingAction,
    FindingFilter,
    FindingStatus,
    StoredFinding,
)
from retirelink.fundcheck.model import (
    Band,
    CheckCode,
    LifeSignSource,
    PayStatus,
    RollEntry,
    Scheme,
)
from retirelink.fundcheck.services import (
    RecoveryTerms,
    decide_finding,
    list_findings,
    record_repayment,
    run_full_batch,
)
from retirelink.ledger.model import LedgerAction
from retirelink.rules.calendar import YearMonth
from retirelink.rules.payments import PaidPeriod
from retirelink.security.model import SYSTEM_ACTOR, Actor, Role
from retirelink.storage import fund_snapshot
from retirelink.storage.fund_repositories import SqlAlchemyFundRepository
from tests.support.builders import make_id_number
from tests.support.partner_files import DEATH_ITEM, LI, WANG, ZHAO, death_csv

pytestmark = pytest.mark.integration

AUDITOR = Actor(3, "auditor", "王强", "SHEBAO", frozenset({Role.FUND_AUDITOR}))
AUDITOR_2 = Actor(5, "auditor2", "孙丽", "SHEBAO", frozenset({Role.FUND_AUDITOR}))
CLERK = Actor(2, "clerk", "张敏", "SHEBAO", frozenset({Role.CLERK}))
ZHOU = make_id_number("19520202", sequence="007")
PAYROLL = YearMonth(2026, 10)  # the last month paid; TEST_NOW is 2026-11-23


def _entry(pension_id: int, id_number: str, name: str, **overrides: object) -> RollEntry:
    values: dict[str, object] = {
        "pension_id": pension_id,
        "id_number": id_number,
        "name": name,
        "birth_date": date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        "sex": "1" if int(id_number[16]) % 2 else "2",
        "scheme": Scheme.EMPLOYEE,
        "region": "130406",
        "first_month": date(2010, 2, 1),
        "monthly_amount": Decimal("3000.00"),
        "status": PayStatus.PAYING,
        "paid_through": PAYROLL.first_day(),
        "bank_account": f"62170000{pension_id:011d}",
        "payee_name": name,
        "last_certified_on": date(2026, 6, 1),
    }
    values.update(overrides)
    return RollEntry(**values)  # type: ignore[arg-type]


def _load_roll(services, entries: list[RollEntry]) -> None:
    payments = [
        (
            entry.pension_id,
            PaidPeriod(YearMonth.of(entry.first_month), PAYROLL, entry.monthly_amount),
        )
        for entry in entries
        if entry.status is PayStatus.PAYING
    ]
    with services.uow() as uow:
        uow.fund.add_roll(entries, payments, [], {})
        uow.commit()


def _import_deaths(services, rows: list[tuple[str, str, str]], name: str = "deaths.csv") -> None:
    with services.uow() as uow:
        import_partner_file(
            uow,
            actor=SYSTEM_ACTOR,
            data=death_csv(rows),
            filename=name,
            item_code=DEATH_ITEM,
            catalogue=services.catalogue,
            receipt_key=services.receipt_key,
        )


def _findings(services, **where: Any) -> list[StoredFinding]:
    with services.uow() as uow:
        found, _ = list_findings(uow, actor=AUDITOR, where=FindingFilter(**where), limit=100)
    return found


@pytest.fixture
def roll(seeded):
    """王 paid since 2010 (3,000 a month); 李 too; 赵 drawing both an employee pension and a
    resident one (城乡居民, 基础养老金 150) since 2020-01."""
    _load_roll(
        seeded,
        [
            _entry(1, WANG, "王建国"),
            _entry(2, LI, "李秀英"),
            _entry(3, ZHAO, "赵德明"),
            _entry(
                4,
                ZHAO,
                "赵德明",
                scheme=Scheme.RESIDENT,
                first_month=date(2020, 1, 1),
                monthly_amount=Decimal("180.00"),
                basic_amount=Decimal("150.00"),
            ),
        ],
    )
    return seeded


def test_a_death_record_becomes_a_suspension_warning_in_one_continuous_round(roll):
    """公安 reports 王's death on 2026-08-15: payment stops from 2026-09 (死亡次月停发), so
    September and October (2 × 3,000) were paid after death and he is still on the payroll."""
    _import_deaths(roll, [(WANG, "王建国", "2026-08-15")])

    assert roll.run_fund_round() == 1

    (finding,) = _findings(roll, check=CheckCode.DEATH)
    assert finding.pension_id == 1
    assert finding.amount == Decimal("6000.00")
    assert finding.months == 2
    assert finding.from_month == "2026-09"
    assert finding.suspend is True
    assert finding.band is Band.AUTOMATIC
    # The automatic band suspends at once, the rule the decider on record.
    assert finding.status is FindingStatus.SUSPENDED
    assert _roll_status(roll, 1) == "suspended"
    assert any(item.kind == "partner_record" for item in finding.evidence)
    assert any(item.kind == "payment" for item in finding.evidence)
    with roll.uow(read_only=True) as uow:
        actions = [entry.action for entry in uow.ledger.store.recent(limit=50)]
    assert LedgerAction.FUND_FINDING_RAISED.value in actions
    assert LedgerAction.FUND_FINDING_READ.value in actions  # the list shows names and IDs


def test_the_next_round_reads_only_new_records_and_finds_nothing_twice(roll):
    _import_deaths(roll, [(WANG, "王建国", "2026-08-15")])
    roll.run_fund_round()

    assert roll.run_fund_round() == 0
    _import_deaths(roll, [(WANG, "王建国", "2026-08-15"), (LI, "李秀英", "2026-10-02")], "b.csv")
    assert roll.run_fund_round() == 1  # 王's record repeats and is stored once; 李 is new

    deaths = _findings(roll, check=CheckCode.DEATH)
    assert sorted(f.pension_id for f in deaths) == [1, 2]
    li = next(f for f in deaths if f.pension_id == 2)
    assert li.amount == Decimal("0") and li.suspend  # died in October, paid through October


def test_the_batch_finds_what_the_continuous_mode_found_and_the_duplicate(roll):
    """赵's resident pension is cleared: the basic pension drawn since 2020-01 is returned
    (82 months × 150 = 12,300; 第八条, 77号 keep the employee pension)."""
    _import_deaths(roll, [(WANG, "王建国", "2026-08-15")])
    roll.run_fund_round()

    run = roll.run_fund_batch()

    assert run.status == "done"
    assert run.persons == 4
    assert run.new_findings == 1 and run.seen_findings == 1
    (duplicate,) = _findings(roll, check=CheckCode.DUPLICATE)
    assert duplicate.pension_id == 4 and duplicate.related_pension_id == 3
    assert duplicate.amount == Decimal("12300.00")
    assert duplicate.months == 82
    again = roll.run_fund_batch()
    assert again.new_findings == 0 and again.seen_findings == 2
    assert len(_findings(roll)) == 2


def test_an_interrupted_batch_resumes_on_its_snapshot_without_duplicating(roll, monkeypatch):
    _import_deaths(roll, [(WANG, "王建国", "2026-08-15"), (LI, "李秀英", "2026-07-02")])
    calls = {"n": 0}
    original = SqlAlchemyFundRepository.save_findings

    def failing_save(self, findings, **keywords):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the operator stops the run half way
        return original(self, findings, **keywords)

    monkeypatch.setattr(SqlAlchemyFundRepository, "save_findings", failing_save)
    with pytest.raises(KeyboardInterrupt):
        run_full_batch(roll.uow, roll.guard, work_dir=roll.settings.data_dir / "fc", chunk=1)
    with roll.uow(read_only=True) as uow:
        stopped = uow.fund.unfinished_run("batch")
    assert stopped is not None and stopped.checkpoint == 1
    # Written after the snapshot: the resumed run must not see it (same snapshot, same moment).
    _load_roll(roll, [_entry(9, "130406195807070012", "钱多多")])
    monkeypatch.undo()

    resumed = run_full_batch(roll.uow, roll.guard, work_dir=roll.settings.data_dir / "fc", chunk=1)

    assert resumed.id == stopped.id
    assert resumed.status == "done"
    # The summary counts the whole run, the part before the interruption included.
    assert resumed.summary["by_check"] == {"death": 2, "duplicate": 1}
    assert resumed.persons == 4
    assert sorted(f.pension_id for f in _findings(roll, check=CheckCode.DEATH)) == [1, 2]
    assert len(_findings(roll)) == 3  # two deaths and the duplicate, each once


def test_a_snapshot_taken_while_others_write_is_one_moment(roll, monkeypatch):
    """A pension and its payments added by another transaction during the export are not
    half in the snapshot: neither the roll row nor its payments appear."""
    original = fund_snapshot._insert
    wrote = {"done": False}

    def insert_then_write(connection, table, rows):
        original(connection, table, rows)
        if table == "pensioners" and not wrote["done"]:
            wrote["done"] = True
            _load_roll(roll, [_entry(9, "130406195807070012", "钱多多")])

    monkeypatch.setattr(fund_snapshot, "_insert", insert_then_write)
    with roll.uow(read_only=True) as uow:
        connection = uow.fund.snapshot(target=roll.settings.data_dir / "moment.duckdb")
    ids = [row[0] for row in connection.execute("SELECT pension_id FROM pensioners").fetchall()]
    paid = connection.execute("SELECT DISTINCT pension_id FROM payments ORDER BY 1").fetchall()
    connection.close()

    assert wrote["done"]
    assert sorted(ids) == [1, 2, 3, 4]
    assert [row[0] for row in paid] == [1, 2, 3, 4]


def test_departments_disagreeing_on_the_date_open_a_dispute_and_warn_on_the_earliest(roll):
    """公安 says 2026-08-15, a second 公安 record says 2026-06-10 (a person who "dies" twice):
    one finding, on the earliest plausible date, both dates cited, for a person to review."""
    _import_deaths(roll, [(WANG, "王建国", "2026-08-15")])
    _import_deaths(roll, [(WANG, "王建国", "2026-06-10")], "second.csv")

    roll.run_fund_round()

    (finding,) = _findings(roll, check=CheckCode.DEATH)
    assert finding.from_month == "2026-07"
    assert finding.amount == Decimal("12000.00")  # July–October
    assert finding.band is Band.REVIEW
    dispute = next(item for item in finding.evidence if item.kind == "dispute")
    assert "2026-06-10" in dispute.text and "2026-08-15" in dispute.text


def test_a_death_before_birth_is_refused_and_raises_nothing(roll):
    _import_deaths(roll, [(LI, "李秀英", "1940-01-01")])

    roll.run_fund_round()

    assert _findings(roll) == []


def test_dismissing_an_automatic_suspension_resumes_the_pension(roll):
    _import_deaths(roll, [(WANG, "王建国", "2026-08-15")])
    roll.run_fund_round()
    (finding,) = _findings(roll)

    with roll.uow() as uow:
        decide_finding(
            uow,
            actor=AUDITOR,
            finding_id=finding.id,
            action=FindingAction.DISMISS,
            reason="公安更正：同名同生日他人，本人健在",
            params=roll.parameters,
        )

    assert _findings(roll)[0].status is FindingStatus.DISMISSED
    assert _roll_status(roll, 1) == "paying"
    assert _roll_status(roll, 2) == "paying"


def _roll_status(services, pension_id: int) -> str:
    with services.uow(read_only=True) as uow:
        connection = uow.fund.snapshot()
    row = connection.execute(
        "SELECT status FROM pensioners WHERE pension_id = ?", [pension_id]
    ).fetchone()
    connection.close()
    assert row is not None
    return str(row[0])


def test_a_finding_moves_only_with_a_reason_and_one_of_two_racing_decisions_wins(roll):
    roll.guard = replace(roll.guard, auto_suspend=False)  # every finding waits for a person
    _import_deaths(roll, [(WANG, "王建国", "2026-08-15")])
    roll.run_fund_round()
    (finding,) = _findings(roll)

    with roll.uow() as uow, pytest.raises(InvalidInputError, match="处理理由"):
        decide_finding(uow, actor=AUDITOR, finding_id=finding.id, action=FindingAction.VERIFY,
                       reason="  ", params=roll.parameters)  # fmt: skip
    with roll.uow() as uow, pytest.raises(PermissionDeniedError):
        decide_finding(uow, actor=CLERK, finding_id=finding.id, action=FindingAction.VERIFY,
                       reason="核查", params=roll.parameters)  # fmt: skip
    assert _findings(roll)[0].status is FindingStatus.WARNING

    with roll.uow() as uow:
        decide_finding(uow, actor=AUDITOR, finding_id=finding.id, action=FindingAction.VERIFY,
                       reason="电话联系家属核实", params=roll.parameters)  # fmt: skip
    with roll.uow() as uow, pytest.raises(ConflictError):
        decide_finding(uow, actor=AUDITOR_2, finding_id=finding.id, action=FindingAction.VERIFY,
                       reason="重复操作", params=roll.parameters)  # fmt: skip
    with roll.uow() as uow:
        decide_finding(uow, actor=AUDITOR, finding_id=finding.id, action=FindingAction.SUSPEND,
                       reason="家属确认已于8月去世", params=roll.parameters)  # fmt: skip
    with roll.uow() as uow:
        recovered = decide_finding(
            uow, actor=AUDITOR, finding_id=finding.id, action=FindingAction.RECOVER,
            reason="立案追回", params=roll.parameters,
            terms=RecoveryTerms(survivor_offset=Decimal("2000.00"), fraud=True, instalments=3),
        )  # fmt: skip

    plan = recovered.recovery
    assert plan is not None
    assert recovered.status is FindingStatus.RECOVERY
    assert plan["to_recover"] == "4000.00"
    assert sum(Decimal(part) for part in plan["instalments"]) == Decimal("4000.00")
    assert plan["fine"] == {"minimum": "12000.00", "maximum": "30000.00"}  # 2–5 × 6,000
    with roll.uow(read_only=True) as uow:
        history = uow.fund.history(finding.id)
    assert [event.to_status for event in history] == [
        FindingStatus.WARNING,
        FindingStatus.VERIFYING,
        FindingStatus.SUSPENDED,
        FindingStatus.RECOVERY,
    ]
    assert history[2].reason == "家属确认已于8月去世" and history[2].actor == "auditor"


def test_who_has_no_sign_of_life_is_listed_then_certified_in_person_and_paid_back(roll):
    """人社厅发〔2018〕54号, 社会保险经办条例第二十六条 (policy-spec §5.4 [X10]): 李 (born
    1952-02) showed no sign in the cycle 2025-02..2026-01, so he is listed for active
    certification; suspended by a person, he certifies in person on 2026-11-20: the suspended
    months are paid back and the pension resumes."""
    _load_roll(roll, [_entry(7, ZHOU, "周明", last_certified_on=None)])
    run = roll.run_fund_batch()
    assert run.summary["certification"]["uncertified"] == 1
    (listed,) = _findings(roll, check=CheckCode.CERTIFICATION)
    assert listed.pension_id == 7 and listed.band is Band.REVIEW and not listed.suspend
    assert listed.from_month == "2026-02"  # the month after the cycle (a parameter)
    with roll.uow() as uow:
        decide_finding(
            uow,
            actor=AUDITOR,
            finding_id=listed.id,
            action=FindingAction.SUSPEND,
            reason="电话未能联系本人，暂停发放待认证",
            params=roll.parameters,
        )
    assert _roll_status(roll, 7) == "suspended"

    with roll.uow() as uow:
        closed = record_certification(
            uow,
            roll.guard,
            actor=AUDITOR,
            id_number=ZHOU,
            source=LifeSignSource.IN_PERSON,
            on=date(2026, 11, 20),
            reference="XC-2026-0007",
        )

    (closed_id, back_pay) = closed[0]
    assert closed_id == listed.id
    # Paid through October in this roll, so nothing was withheld yet: no back-pay is owed.
    assert back_pay == Decimal("0.00")
    assert _findings(roll, check=CheckCode.CERTIFICATION)[0].status is FindingStatus.CLOSED
    assert _roll_status(roll, 7) == "paying"
    with roll.uow() as uow:
        (standing,) = certification_of(uow, roll.guard, actor=AUDITOR, id_number=ZHOU)
    assert standing.standing.certified
    assert standing.standing.sign is not None
    assert standing.standing.sign.reference == "XC-2026-0007"


def test_an_active_certification_needs_a_real_source_date_and_reference(roll):
    with roll.uow() as uow, pytest.raises(InvalidInputError, match="晚于今天"):
        record_certification(uow, roll.guard, actor=AUDITOR, id_number=WANG,
                             source=LifeSignSource.IN_PERSON, on=date(2026, 12, 30),
                             reference="XC-1")  # fmt: skip
    with roll.uow() as uow, pytest.raises(InvalidInputError, match="主动认证方式"):
        record_certification(uow, roll.guard, actor=AUDITOR, id_number=WANG,
                             source=LifeSignSource.TRAVEL, on=date(2026, 11, 2),
                             reference="XC-1")  # fmt: skip
    with roll.uow() as uow, pytest.raises(NotFoundError):
        record_certification(uow, roll.guard, actor=AUDITOR, id_number="130406195807070012",
                             source=LifeSignSource.IN_PERSON, on=date(2026, 11, 2),
                             reference="XC-1")  # fmt: skip


def test_a_late_certification_pays_back_the_months_withheld(roll):
    """policy-spec §5.4 [X10]: suspended after the cycle and withheld from 2026-08, 周明
    certifies in person on 2026-10-15: August–October are paid back, 3 × 3,000 = 9,000."""
    entry = _entry(7, ZHOU, "周明", last_certified_on=None, paid_through=date(2026, 7, 1))
    with roll.uow() as uow:
        period = PaidPeriod(YearMonth(2010, 2), YearMonth(2026, 7), entry.monthly_amount)
        uow.fund.add_roll([entry], [(7, period)], [], {})
        uow.commit()
    roll.run_fund_batch()  # listed: no sign in 2025-02..2026-01 (paying: roll not yet stopped)

    with roll.uow() as uow:
        closed = record_certification(
            uow,
            roll.guard,
            actor=AUDITOR,
            id_number=ZHOU,
            source=LifeSignSource.SELF_SERVICE,
            on=date(2026, 10, 15),
            reference="ZZ-20261015-01",
        )

    assert [pay for _, pay in closed] == [Decimal("9000.00")]
    (finding,) = _findings(roll, check=CheckCode.CERTIFICATION)
    assert finding.recovery == {"back_pay": "9000.00", "back_pay_months": 3}


def test_repayments_close_the_recovery_case_when_nothing_is_left(roll):
    roll.guard = replace(roll.guard, auto_suspend=False)
    _import_deaths(roll, [(WANG, "王建国", "2026-08-15")])
    roll.run_fund_round()
    (finding,) = _findings(roll)
    for action in (FindingAction.VERIFY, FindingAction.RECOVER):
        with roll.uow() as uow:
            decide_finding(uow, actor=AUDITOR, finding_id=finding.id, action=action,
                           reason="家属确认", params=roll.parameters,
                           terms=RecoveryTerms(instalments=2))  # fmt: skip

    with roll.uow() as uow, pytest.raises(InvalidInputError, match=r"6000\.00"):
        record_repayment(uow, actor=AUDITOR, finding_id=finding.id, amount=Decimal("6000.01"),
                         on=date(2026, 11, 20), reference="JK-1")  # fmt: skip
    with roll.uow() as uow:
        first = record_repayment(uow, actor=AUDITOR, finding_id=finding.id,
                                 amount=Decimal("3000.00"), on=date(2026, 11, 20),
                                 reference="JK-1")  # fmt: skip
    assert first.status is FindingStatus.RECOVERY and first.recovered == Decimal("3000.00")
    with roll.uow() as uow:
        done = record_repayment(uow, actor=AUDITOR, finding_id=finding.id,
                                amount=Decimal("3000.00"), on=date(2026, 11, 21),
                                reference="JK-2")  # fmt: skip

    assert done.status is FindingStatus.CLOSED
    assert done.recovery is not None and done.recovery["recovered"] == "6000.00"
    assert [item["reference"] for item in done.recovery["repayments"]] == ["JK-1", "JK-2"]
    with roll.uow(read_only=True) as uow:
        assert uow.fund.recovered_total() == Decimal("6000.00")
    with roll.uow() as uow, pytest.raises(ConflictError):
        record_repayment(uow, actor=AUDITOR, finding_id=finding.id, amount=Decimal("1.00"),
                         on=date(2026, 11, 21), reference="JK-3")  # fmt: skip


def test_a_second_department_lifts_a_warning_into_an_automatic_suspension(roll):
    """卫健's certificate alone is a signal for a person (0.85); 公安's cancellation agreeing
    with it makes the death sure (0.99): the rule suspends, on record, with the reason."""
    with roll.uow() as uow:
        import_partner_file(
            uow,
            actor=SYSTEM_ACTOR,
            # (a file of its own: the exchange recognises the same bytes sent twice)
            data=death_csv([(WANG, "王建国", "2026-08-15"), (LI, "李秀英", "2026-10-02")]),
            filename="weijian.csv",
            item_code="health.death_medical_certificate",
            catalogue=roll.catalogue,
            receipt_key=roll.receipt_key,
        )
    roll.run_fund_round()
    (first,) = _findings(roll, check=CheckCode.DEATH, id_number=WANG)
    assert (first.band, first.status) == (Band.REVIEW, FindingStatus.WARNING)
    assert _roll_status(roll, 1) == "paying"

    _import_deaths(roll, [(WANG, "王建国", "2026-08-15")])
    roll.run_fund_round()

    (raised,) = _findings(roll, check=CheckCode.DEATH, id_number=WANG)
    assert raised.id == first.id
    assert (raised.band, raised.status) == (Band.AUTOMATIC, FindingStatus.SUSPENDED)
    assert _roll_status(roll, 1) == "suspended"
    with roll.uow(read_only=True) as uow:
        history = uow.fund.history(raised.id)
    assert [(e.from_status, e.to_status, e.actor) for e in history] == [
        (None, FindingStatus.WARNING, "rule"),
        (FindingStatus.WARNING, FindingStatus.SUSPENDED, "rule"),
    ]


def test_a_medical_settlement_shared_by_yibao_certifies_the_year(roll):
    """人社厅发〔2018〕54号 (寓认证于服务): a 医保 settlement received through the exchange is a
    sign of life; 周明 has no other, and it certifies him (no 未认证 finding, the evidence kept)."""
    _load_roll(roll, [_entry(7, ZHOU, "周明", last_certified_on=None)])
    settlement = "公民身份号码,姓名,参保状态,参保地行政区划,结算日期,定点医药机构编码\r\n"
    settlement += f"{ZHOU},周明,1,130406,2026-05-09,H13040600001\r\n"
    with roll.uow() as uow:
        import_partner_file(
            uow,
            actor=SYSTEM_ACTOR,
            data=settlement.encode("gbk"),
            filename="yibao.csv",
            item_code="medical_insurance.enrolment_and_settlement",
            catalogue=roll.catalogue,
            receipt_key=roll.receipt_key,
        )

    run = roll.run_fund_batch()

    assert _findings(roll, check=CheckCode.CERTIFICATION) == []
    assert run.summary["certification"]["medical_settlement"] == 1
    with roll.uow() as uow:
        (standing,) = certification_of(uow, roll.guard, actor=AUDITOR, id_number=ZHOU)
    assert standing.standing.sign is not None
    assert standing.standing.sign.seen_on == date(2026, 5, 9)
    assert standing.standing.sign.reference.startswith("医保结算")


def test_a_continuous_round_that_fails_half_way_is_repeated_whole(roll, monkeypatch):
    """The findings and the cursor commit together: a round that fails leaves neither, and
    the next round reads the same records again — nothing lost, nothing doubled."""
    _import_deaths(roll, [(WANG, "王建国", "2026-08-15")])
    original = SqlAlchemyFundRepository.save_findings

    def failing(self, findings, **keywords):
        original(self, findings, **keywords)
        raise OSError("disk full")  # after the findings were written in the transaction

    monkeypatch.setattr(SqlAlchemyFundRepository, "save_findings", failing)
    with pytest.raises(OSError):
        roll.run_fund_round()
    assert _findings(roll) == []
    monkeypatch.undo()

    assert roll.run_fund_round() == 1
    assert [f.pension_id for f in _findings(roll)] == [1]
    assert roll.run_fund_round() == 0


def test_a_second_batch_while_one_runs_is_refused_and_starts_nothing(roll):
    """The button pressed twice, or the CLI beside the page: one run at a time."""
    work_dir = roll.settings.data_dir / "fundcheck"
    work_dir.mkdir(parents=True, exist_ok=True)
    with (work_dir / "fund-batch.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a run in progress elsewhere
        with pytest.raises(ConflictError, match="已有批量核查正在运行"):
            roll.run_fund_batch()
    with roll.uow(read_only=True) as uow:
        assert uow.fund.runs(limit=5) == []

    assert roll.run_fund_batch().status == "done"  # once the first has finished
